"""Since your last analysis: what changed from the last result of the same diary.

An outside audit (/tmp/w46/C F2, F4): a person analysing every morning was told nothing of
what changed since yesterday. The look-again date moved 12-06 -> 12-10 -> 12-08 over
mornings without a word, verdicts changed silently, and "change nothing before the
look-again date" was only implied. ``mgsleep analyze`` now keeps, beside the diary's cached
fit, a small record of its last result (:class:`LastResult`: the advice, the look-again
date, the evaluation period, each effect's verdict) and the next run says in one line what
changed (:class:`SinceLast`), also the JSON's ``since_last``, and which of the diary's nights
since were off the last advice (:mod:`model.analysis.advice_followed`). A result is kept once
its outputs are written (:func:`keep_last`): a run that wrote nothing told the person nothing.

The record is only ever compared, never trusted: the decision stays a function of the diary,
the same with or without a cache. It is kept as the fits are (:mod:`model.analysis.fit_cache`):
in the private cache folder (:func:`~model.analysis.fit_cache.cache_folder`), written
atomically and 0o600; a record that is not this user's own, cannot be read or is of another
diary or version is ignored with a warning and replaced. Without a cache (``--no-cache``)
nothing is read or written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.analysis.advice_followed import NotFollowed, not_followed
from model.analysis.fit_cache import CacheWarning, cache_folder, diary_place
from model.core.atomic import json_text, write_with
from model.core.change_words import outcome_name, step_words
from model.core.forms import PLACEBO
from model.core.paths import not_private
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.decision.judged_nights import KEEPING

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis

RECORD_KIND = "mgsleep last analysis"
"""What a record says it is: another file at its name is foreign, never read as one."""

RECORD_VERSION = 1
"""The record's format: one of another version is ignored (a warning) and replaced."""

STEPS_TO_REGIMEN = ("start", "switch_form", "increase_dose", "decrease_dose", "split_dose")
"""The actions that move to the regimen they name: keeping it next is following them."""

STAY_WORDS = {NO_MAGNESIUM: "stay without magnesium until your break counts as a withdrawal",
              Regimen(PLACEBO): "stay on placebo until your placebo period has its nights"}
"""The step of a break kept going (:attr:`LastResult.stay`), by what it stays on."""


@dataclass(frozen=True)
class LastResult:
    """What an analysis of a diary said, as kept for the next one (:func:`since_last`).

    ``analysed_on`` the day the analysis was made, ``as_of`` its last night;
    ``period_nights`` the evaluation period the build-up estimate gave the decision
    (:attr:`~model.decision.results.Decision.period_nights`, once recomputed here from the
    fit); ``verdicts`` each effect's verdict per regimen taken: ``(regimen label, outcome,
    verdict)``; ``commit`` whether the advice was a commitment (None: a record kept before
    it was, which is never compared on it); ``stay`` what a break kept going (code
    ``break_under_way``: ``collect_more_data`` with no regimen) stays on, no magnesium or
    placebo, else None. Without it "Stay without magnesium for 9 more nights: your break ...
    then counts as a withdrawal" was "keep going and record more nights" in the line since
    the last analysis (/tmp/w57/n N4.1). ``every_night``: the advice asked for the regimen
    every night, not only when needed (code ``taken_as_needed``): no night without it is a
    night skipped (/tmp/w57/n2 C).
    """

    analysed_on: dt.date
    as_of: dt.date
    action: str
    regimen: Regimen | None
    next_review: dt.date | None
    period_nights: int | None
    verdicts: tuple[tuple[str, str, str], ...]
    commit: bool | None = None
    stay: Regimen | None = None
    every_night: bool = False

    @classmethod
    def of(cls, result: Analysis, analysed_on: dt.date) -> LastResult:
        """The record of ``result``, an analysis made on ``analysed_on``."""
        rec = result.decision.recommendation
        return cls(analysed_on, result.as_of, rec.action, rec.regimen,
                   None if rec.action == "refer" else rec.next_review,
                   result.decision.period_nights,
                   tuple((e.regimen.label, e.outcome, e.verdict)
                         for e in result.effects.by_regimen), rec.commit,
                   None if rec.regimen is not None or "break_under_way" not in rec.reason_codes
                   else Regimen(PLACEBO) if "placebo_test" in rec.reason_codes
                   else NO_MAGNESIUM, "taken_as_needed" in rec.reason_codes)

    @property
    def step(self) -> str:
        """The advice in a person's words (:func:`step_words`): ``switch to taurate 200 mg``."""
        return step_words(self.action, self.regimen) if self.stay is None \
            else STAY_WORDS[self.stay]

    @property
    def advised(self) -> Regimen | None:
        """The regimen the advice asks the nights to be on (None: none, as a referral)."""
        return self.regimen if self.regimen is not None else self.stay

    def regimen_entry(self) -> dict[str, Any]:
        """The advice's fields as the JSON's ``recommendation`` names them."""
        regimen = self.regimen
        return {"action": self.action, "form": None if regimen is None else regimen.form,
                "elemental_mg_per_day": None if regimen is None else regimen.elemental_mg,
                "split": None if regimen is None else regimen.split}

    def to_dict(self) -> dict[str, Any]:
        """The record as kept (:func:`keep_last`)."""
        return {"analysed_on": self.analysed_on.isoformat(), "as_of": self.as_of.isoformat(),
                "action": self.action,
                "regimen": None if self.regimen is None else self.regimen.label,
                "next_review": _iso(self.next_review), "period_nights": self.period_nights,
                "verdicts": [list(v) for v in self.verdicts], "commit": self.commit,
                "stay": None if self.stay is None else self.stay.label,
                "every_night": self.every_night}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LastResult:
        """The record :meth:`to_dict` wrote; ValueError, KeyError or TypeError when not one."""
        period = data["period_nights"]
        if period is not None and (isinstance(period, bool) or not isinstance(period, int)):
            raise ValueError(f"period_nights {period!r} is not a whole number")
        commit = data.get("commit")         # absent from a record kept before it was
        if commit is not None and not isinstance(commit, bool):
            raise ValueError(f"commit {commit!r} is not true or false")
        verdicts = tuple((str(label), str(outcome), str(verdict))
                         for label, outcome, verdict in data["verdicts"])
        stays = {regimen.label: regimen for regimen in STAY_WORDS}
        stay = data.get("stay")             # absent from a record kept before it was
        if stay is not None and stay not in stays:
            raise ValueError(f"stay {stay!r} is neither none nor placebo")
        if not isinstance(every := data.get("every_night", False), bool):
            raise ValueError(f"every_night {every!r} is not true or false")
        return cls(dt.date.fromisoformat(data["analysed_on"]),
                   dt.date.fromisoformat(data["as_of"]), str(data["action"]),
                   None if data["regimen"] is None else Regimen.from_label(data["regimen"]),
                   None if data["next_review"] is None
                   else dt.date.fromisoformat(data["next_review"]),
                   period, verdicts, commit, None if stay is None else stays[stay], every)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _period_start(record: LastResult) -> dt.date | None:
    """The first night of the period a record's look-again date ends; None: not known.

    The look is the morning after the period's last night
    (:func:`~model.decision.rules.review_after`).
    """
    if record.next_review is None or record.period_nights is None:
        return None
    return record.next_review - dt.timedelta(days=record.period_nights)


def record_path(folder: Path, diary: str) -> Path:
    """Where the last result of ``diary`` is kept in the cache ``folder`` (one per diary file).

    Named by the diary alone, not its fit's settings: the last analysis of the diary, however
    it was made. The name is not a fit's (:data:`~model.analysis.fit_cache.FIT_NAME`), so the
    fits' clean-ups never touch it.
    """
    text = json.dumps({"diary": diary_place(diary), "record": RECORD_KIND}, sort_keys=True)
    return folder / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.last.json"


def read_last(path: Path, diary: str) -> LastResult | None:
    """The record at ``path``; None when there is none, or none to trust (a warning)."""
    if not os.path.lexists(path):
        return None
    why = not_private(path, folder=False)
    if why is None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("kind") != RECORD_KIND:
                raise ValueError("not a record of an analysis")
            if data.get("version") != RECORD_VERSION or data.get("diary") != diary_place(diary):
                raise ValueError("a record of another version or another diary")
            return LastResult.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError) as error:
            why = str(error) or type(error).__name__
    warnings.warn(f"ignored the record of the last analysis {path}: {why}; it is not read, "
                  "and this analysis replaces it", CacheWarning, stacklevel=3)
    return None


def keep_last(path: Path, record: LastResult, diary: str) -> None:
    """Write ``record`` to ``path`` atomically, 0o600 (a warning when it cannot be written)."""
    text = json_text({"kind": RECORD_KIND, "version": RECORD_VERSION,
                      "diary": diary_place(diary)} | record.to_dict())
    try:
        write_with(path, lambda handle: handle.write(text.encode()))
    except OSError as error:
        warnings.warn(f"could not keep the record of this analysis in {path.parent} "
                      f"({error.strerror or error}); the next run will not say what changed "
                      "since", CacheWarning, stacklevel=3)


@dataclass(frozen=True)
class SinceLast:
    """What changed from the ``previous`` record to this analysis's (``now``).

    ``holds``: the evaluation period sets this analysis's step
    (:attr:`~model.decision.results.Decision.period_sets_step`): nothing is to change before
    the look-again date, which the line then says. ``not_followed``: the diary's nights
    since the previous record off the regimen its advice asked for (:func:`not_followed`;
    None: none, or not compared).
    """

    previous: LastResult
    now: LastResult
    holds: bool
    not_followed: NotFollowed | None = None

    @property
    def same_advice(self) -> bool:
        """The same action on the same regimen, or keeping the regimen a step moved to.

        Keeping (``continue``, ``collect_more_data``) the regimen the last advice moved to
        (a switch, a dose step, a start) is that advice followed, not another: the audit's
        mornings read "switch to taurate 200 mg", then "continue taurate 200 mg". A break kept
        going is another advice than any other step with no regimen (:attr:`LastResult.stay`).
        """
        prev, now = self.previous, self.now
        if prev.regimen != now.regimen or prev.stay != now.stay:
            return False
        return prev.action == now.action or (now.action in KEEPING and (
            prev.action in KEEPING or prev.action in STEPS_TO_REGIMEN))

    @property
    def reached(self) -> bool:
        """Whether the last advice's look-again date has come: the diary holds its last night."""
        over = self.previous.next_review
        return over is not None and over <= self.now.as_of + dt.timedelta(days=1)

    @property
    def new_period(self) -> bool:
        """The same advice, its look-again date come, and a date for another period now.

        Not the same period made longer (:attr:`moved`): its first night
        (:func:`_period_start`) is not known to stay. Keeping a regimen, the look ends the
        current period counted in whole periods from the run's first night
        (:func:`~model.decision.look_nights.review_days`): "the look-again date moved from
        2026-06-22 to 2026-07-07 (the build-up is estimated faster: a period of 16 nights, was
        17)" was said when a period had ended and the next began (/tmp/w51/a F9).
        """
        prev, now = self.previous, self.now
        start = _period_start(prev)
        return (self.same_advice and self.reached and prev.next_review != now.next_review
                and (start is None or start != _period_start(now)))

    @property
    def same_kind(self) -> bool:
        """Whether both advices were commitments, or neither (or a record does not say).

        "Same advice" stood where a wait for the period's end became a commitment
        (/tmp/w51/a F9): the step is the same, not what it is.
        """
        before, after = self.previous.commit, self.now.commit
        return before is None or after is None or before == after

    @property
    def moved(self) -> bool:
        """The same advice with another look-again date, in the same period (not a new one)."""
        return (self.same_advice and self.previous.next_review != self.now.next_review
                and not self.new_period)

    @property
    def nothing_changed(self) -> bool:
        """The same advice of the same kind, in the same period, with the same verdicts."""
        return (self.same_advice and self.same_kind and not self.moved and not self.new_period
                and not self.verdicts_changed())

    def why_moved(self) -> str | None:
        """``build_up_slower`` or ``build_up_faster`` when the evaluation period moved the date.

        Only when the period changed the way the date moved: a longer one later, a shorter
        one earlier; a date moved the other way has another cause, not named (None).
        """
        before, after = self.previous.period_nights, self.now.period_nights
        was, now = self.previous.next_review, self.now.next_review
        if (not self.moved or before is None or after is None or before == after
                or was is None or now is None or (now > was) != (after > before)):
            return None
        return "build_up_slower" if after > before else "build_up_faster"

    def verdicts_changed(self) -> list[tuple[str, str, str, str]]:
        """``(regimen label, outcome, verdict before, verdict now)`` of each changed verdict.

        Of the effects both records hold: a regimen newly taken has no earlier verdict.
        """
        before = {(label, outcome): verdict for label, outcome, verdict in self.previous.verdicts}
        return [(label, outcome, before[label, outcome], verdict)
                for label, outcome, verdict in self.now.verdicts
                if before.get((label, outcome), verdict) != verdict]

    def _moved_words(self) -> list[str]:
        if not self.moved:
            return []
        why = {"build_up_slower": "the build-up is estimated slower",
               "build_up_faster": "the build-up is estimated faster"}.get(self.why_moved() or "")
        period = (f" ({why}: a period of {self.now.period_nights} nights, was "
                  f"{self.previous.period_nights})" if why else "")
        return [f"the look-again date moved from {_iso(self.previous.next_review) or 'none'} "
                f"to {_iso(self.now.next_review) or 'none'}{period}"]

    def _early(self) -> str:
        """Why advice changed before its look-again date, as far as the records tell.

        Kept advice on another regimen than the last advice's is the diary's latest nights
        (the advice not followed, which :meth:`_not_followed_words` then counts); otherwise
        the reason is the Why's. A plain-language editor: "see why below" pointed at a Why
        that named no change.
        """
        prev, now = self.previous, self.now
        if (now.action in KEEPING and now.regimen is not None and prev.regimen is not None
                and (prev.action in KEEPING or prev.action in STEPS_TO_REGIMEN)):
            if self.not_followed is not None:
                return "the advice was not followed"
            on = ("without magnesium" if now.regimen == NO_MAGNESIUM
                  else f"on {now.regimen.words}")
            return f"your latest nights are {on}, not on {prev.regimen.words}"
        return "the reason is given under Why"

    def _not_followed_words(self) -> list[str]:
        """The last advice and the nights since off it, with counts and dates (/tmp/w57/n N5).

        Said whatever the step and whether or not the advice changed: "Stop taking
        magnesium" followed by taurate on 12 of 14 nights was never named.
        """
        if self.not_followed is None:
            return []
        return [f"after your night of {self.previous.as_of.isoformat()} you were advised to "
                f"{self.previous.step}, but your diary shows {self.not_followed.words()}"]

    def _until(self) -> str:
        """When to look again: a date before this analysis is said to have passed.

        A plain-language editor: "look again on 2026-03-29" on 2026-12-06.
        """
        review = self.now.next_review
        if review is None:
            return ""
        if review < self.now.analysed_on:
            return (f"; the look-again date, {review.isoformat()}, has passed: log your nights "
                    "since then and analyse again")
        return (f" and change nothing until {review.isoformat()}" if self.holds
                else f", and look again on {review.isoformat()}")

    def _advice_words(self) -> str:
        now, over = self.now, self.previous.next_review
        if not self.same_advice:
            why = ("" if over is None else " (the period is over)" if self.reached else
                   f" (before the look-again date of {over.isoformat()}: {self._early()})")
            return f"the advice changed: from {self.previous.step} to {now.step}{why}"
        step = (f"keep taking {now.regimen.words}" if now.action in KEEPING
                and now.regimen is not None and now.regimen.active else now.step)
        came = f"the look-again date of {_iso(over)} has come; " if self.new_period else ""
        same = ("same advice" if self.same_kind else
                f"same step, {'now' if now.commit else 'no longer'} as one to stay on")
        return f"{came}{same}{', nothing changed' * self.nothing_changed}: {step}{self._until()}"

    def words(self) -> str:
        """The line the terminal prints near the top (the JSON's ``since_last.words``)."""
        prev = self.previous
        later = ": later nights than these" if prev.as_of > self.now.as_of else ""
        changes = self._not_followed_words() + self._moved_words() + [
            f"{Regimen.from_label(label).words}, {outcome_name(outcome)}: "
            f"{before.replace('_', ' ')} -> {after.replace('_', ' ')}"
            for label, outcome, before, after in self.verdicts_changed()]
        return (f"Since your last analysis ({prev.analysed_on.isoformat()}, of nights up to "
                f"{prev.as_of.isoformat()}{later}): "
                + "; ".join([self._advice_words(), *changes]) + ".")

    def to_dict(self) -> dict[str, Any]:
        """The JSON's ``since_last`` (null when no earlier record: :func:`since_last`)."""
        prev = self.previous
        return {"previous": {"analysed_on": prev.analysed_on.isoformat(),
                             "as_of": prev.as_of.isoformat()} | prev.regimen_entry()
                | {"next_review": _iso(prev.next_review)},
                "same_advice": self.same_advice,
                "next_review_moved": None if not self.moved else {
                    "from": _iso(prev.next_review), "to": _iso(self.now.next_review),
                    "why": self.why_moved()},
                "verdicts_changed": [{"regimen": label, "outcome": outcome, "from": before,
                                      "to": after} for label, outcome, before, after
                                     in self.verdicts_changed()],
                "nothing_changed": self.nothing_changed,
                "advice_not_followed": None if self.not_followed is None
                else self.not_followed.to_dict(),
                "words": self.words()}


def record_at(diary: str, cache: str | Path | None) -> Path | None:
    """Where the last result of ``diary`` is kept with the fits in ``cache``; None: nowhere.

    None without a cache (``--no-cache``: nothing is read or written) or when its folder is
    not private to this user (:func:`~model.analysis.fit_cache.cache_folder` warns).
    """
    folder = None if cache is None else cache_folder(Path(cache))
    return None if folder is None else record_path(folder, diary)


def since_last(result: Analysis, path: Path | None, diary: str,
               today: dt.date) -> SinceLast | None:
    """What changed since the last result kept at ``path`` (:func:`record_at`).

    Parameters
    ----------
    result : Analysis
        This analysis.
    path : Path or None
        The record of the diary's last result; None: no cache, no comparison.
    diary : str
        The diary file analysed (a record of another is not read).
    today : datetime.date
        The day of this analysis.

    Returns
    -------
    SinceLast or None
        None without a record (or one to trust). This result is kept by
        :func:`keep_last` once it has been given (the outputs written): a run whose
        outputs failed told the person nothing to compare with.

    """
    previous = None if path is None else read_last(path, diary)
    if previous is None:
        return None
    now = LastResult.of(result, today)
    return SinceLast(previous, now, result.decision.period_sets_step,
                     not_followed(previous.advised, result.diary.nights, previous.as_of,
                                  now.as_of, previous.every_night))
