"""The nights an analysis reads: the diary up to the date analysed, and enough of them to fit.

:func:`model.analysis.pipeline.analyze` reads them with :func:`truncated` and
:func:`enough_nights` (moved here from the pipeline, which had grown past the modules' size).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from model.core.errors import DiaryError, Fault, MgsleepError
from model.data.diary import Diary
from model.data.diary_rows import given_date
from model.data.profile import Profile
from model.decision import history, screen
from model.decision.rules import LATE_SYNC_DAYS, current_breaks
from model.evidence.priorset import PriorSet

STALE_DAYS = 14
"""An ``as_of`` more than this many days after the last night gives a warning."""

MIN_NIGHTS_TO_FIT = 7
"""A diary with fewer recorded nights is not fitted, unless a hard rule has something to say
(:func:`enough_nights`): with two or three nights the person's own level and noise are not
identified (sleep-onset latency's SD collapses towards 0 in a funnel, 90-160 divergences after
three runs of the diagnostics gate, about 50 s), and the answer would be "record more nights"
after a failed fit. With 5 or 7 nights the same kind of diary fits cleanly. Not
:attr:`DecisionSettings.min_nights` (14, the nights of an evaluation period): one name for
both ideas (``MIN_NIGHTS``) invited taking one for the other (a maintainer's review, C F9)."""


def enough_nights(data: Diary, person: Profile, priors: PriorSet) -> None:
    """Refuse a diary of fewer than :data:`MIN_NIGHTS_TO_FIT` nights with an outcome, saying why.

    Rows with a regimen and no outcome (a trial plan's nights not slept yet, or unlogged ones)
    do not count. Not when a hard rule speaks: a referral, or a current regimen above the
    ceiling or of an excluded form, is answered whatever the fit (the analysis goes on to
    say it).

    Raises
    ------
    DiaryError
        Naming the diary, the nights recorded and how many more are needed.
    """
    slept = data.n_with_outcome
    if slept >= MIN_NIGHTS_TO_FIT:
        return
    rules = screen(person, priors.safety, history(data).taking)
    if rules.referrals or rules.holds or current_breaks(history(data).current, rules):
        return
    more = MIN_NIGHTS_TO_FIT - slept
    raise DiaryError([Fault(
        data.source, "",
        f"{slept} night{'s' * (slept != 1)} with an outcome recorded: the analysis needs "
        f"at least {MIN_NIGHTS_TO_FIT}, a week of your usual nights, to learn your own level and "
        f"spread; record {more} more and run it again (`mgsleep priors` shows what the "
        "published evidence says of each form meanwhile)")])


def _out_of_date(source: str, last_night: dt.date, today: dt.date) -> tuple[str, ...]:
    """A warning when the diary ends more than LATE_SYNC_DAYS before today.

    Its advice is then as of the morning after its last night, and so is its look-again date
    (:func:`~model.decision.rules.change_starts`): "take it for 17 nights and look again on
    2026-12-07 (in 2 days)" came with no word of why (a long-term user's audit).
    """
    if (today - last_night).days <= LATE_SYNC_DAYS:
        return ()
    return (f"{source}: its last night slept is {last_night}, {(today - last_night).days - 1} "
            f"nights before last night: the advice and its look-again date are as of the "
            f"morning after it; log the nights since (mgsleep log --date) and analyse again",)


def truncated(diary: Diary, as_of: dt.date | str | None,
              today: dt.date | None = None) -> tuple[Diary, dt.date]:
    """The diary up to the date analysed and that date (:func:`~.pipeline.analyze`'s ``as_of``).

    By default the last night slept (:meth:`~model.data.diary.Diary.last_slept_date`: with
    an outcome, or before ``today``, default the clock's, with a dose written down): the
    planned nights after it (rows with a regimen and nothing recorded, as ``mgsleep plan``
    writes them) were not slept yet, and counted as taken they made a trial stopped early
    look finished on its last arm. Given ``today`` (the command line's), a diary out of date
    says so (:func:`_out_of_date`). Rows holding only a date are nights not recorded
    (:meth:`~model.data.diary.Diary.without_date_only`), neither slept nor without magnesium.
    The diary kept is that of the rows up to the date (:meth:`~model.data.diary.Diary.up_to`):
    a night unwritten before it takes no regimen from a row after it, the warnings count no
    night after it (``--as-of`` read Tom's unwritten glycinate nights as no magnesium because
    his next row, after the date, was taurate: an outside audit, /tmp/w43/S F1).
    """
    diary = diary.without_date_only()
    last = diary.nights.index.max().date()
    if as_of is None:
        now = today or dt.date.today()
        slept = diary.last_slept_date(now)
        old = _out_of_date(diary.source, slept or last, today) if today else ()
        if slept is None or slept == last:
            return Diary(diary.nights, diary.source, diary.warnings + old), last
        ahead = int(diary.nights.loc[str(slept + dt.timedelta(days=1)):, "recorded"].sum())
        note = (f"{diary.source}: {ahead} night(s) after {slept}, the last night slept, have "
                f"nothing recorded yet (planned nights?): analysed up to {slept}",)
        kept = diary.up_to(slept)
        return dataclasses.replace(kept, warnings=kept.warnings + note + old), slept
    as_of = given_date(as_of)
    first = diary.nights.index.min().date()
    if as_of < first:
        raise MgsleepError(f"{diary.source}: --as-of {as_of} is before the first night "
                           f"({first})")
    keep = diary.up_to(as_of)
    last = keep.nights.index.max().date()
    late = (as_of - last).days
    notes = (f"{diary.source}: --as-of {as_of} is {late} days after the last night ({last}); "
             "the decision assumes nothing changed since",) if late > STALE_DAYS else ()
    return dataclasses.replace(keep, warnings=keep.warnings + notes), as_of
