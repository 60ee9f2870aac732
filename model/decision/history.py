"""What the decision needs from a diary: the :class:`History` of the current regimen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import pandas as pd

from model.core.forms import NONE, PLACEBO
from model.core.regimen import NO_MAGNESIUM, SKIPPED_NIGHTS, Regimen
from model.data.diary import PLAN_NOTES
from model.data.life_events import other_changes
from model.data.pot_notes import CODE_NOTE
from model.data.recorded import unrecorded_outcomes
from model.decision.as_needed import Indication, indication
from model.decision.gi_facts import (
    background_gi,
    gi_troubled_regimens,
    loose_nights,
    recent_gi,
    rules_gi_nights,
)
from model.decision.hard_week import HARD_WEEK, very_anxious
from model.decision.judged_nights import (
    WrittenRun,
    judged_on,
    last_run,
    left_out,
    nights_before,
    run_nights,
    run_start,
    tried_forms,
    written_run,
)
from model.decision.on_off import Taking, night_date, off_run_start, taking_pattern
from model.decision.settings import DecisionSettings


class DiaryLike(Protocol):
    """Anything with a daily ``nights`` frame, such as :class:`model.data.diary.Diary`.

    The frame needs the columns form, elemental_mg, split, recorded and gi_night (and
    reads ``exclude`` when it has it: :func:`model.decision.judged_nights.left_out`).
    """

    @property
    def nights(self) -> pd.DataFrame:
        """One row per calendar night, oldest first."""
        ...


@dataclass(frozen=True)
class History:
    """The few facts of a diary the decision uses.

    The nights a regimen is judged on (:attr:`nights_on_current`, :attr:`nights_on`,
    :attr:`forms_tried`) are never nights the diary's ``exclude`` column left out
    (:mod:`model.decision.judged_nights`): those say nothing of sleep. They keep the run going
    and count for the GI facts, as their dose and stool record are kept (not the stool record
    of a night marked for a menstrual period: :mod:`model.data.period_nights`).

    Parameters
    ----------
    current : Regimen
        Last night's regimen; after a run of a magnesium regimen, the last nights without
        magnesium (not placebo), at most :data:`SKIPPED_NIGHTS` of them, are nights skipped
        (:attr:`skipped`) and ``current`` is that regimen: a dose forgotten on the last night
        before a look is no stop (one read as a stop was told "Stay without magnesium" for
        16-17 nights as the only step open: an outside audit, /tmp/jI F1).
    nights_on_current : int
        Nights in the run of identical regimen that ends last night, written down or not,
        less those excluded (:attr:`excluded_on_current`), which push its look back:
        a night missing between two nights of the regimen is taken as on it (the diary's
        rule) and counts, as do the nights after the diary's last up to the date analysed
        (:meth:`through`): the magnesium store builds up on nights taken, and someone who
        left two nights unwritten was told "look again tomorrow" on three mornings in a row
        (an outside audit, /tmp/jI F6). Nights skipped within the run or at its end (at most
        :data:`SKIPPED_NIGHTS` in a row without magnesium) neither end it nor count. A run
        from the diary's first night counts the nights before it too (:attr:`before_run`).
    forms_tried : frozenset of str
        Forms taken on at least ``judged_nights`` recorded nights not excluded (any dose, any
        run; :meth:`from_nights`): a form taken on fewer has not been tried. Two nights on
        each of three forms once ended the planned crossover, and the advice committed with a
        P(best) of 0.29.
    recent_gi_nights : int
        GI nights within the diary's last ``gi_window`` nights on the magnesium being taken
        (:attr:`taking`), and on nights without magnesium after it (a night skipped or a
        stop does not clear loose stools of the night before); none on no magnesium alone
        or on placebo.
    nights_on : mapping of Regimen -> int
        Recorded nights not excluded on each regimen ever taken on a recorded night (any
        run; 0 for one whose recorded nights are all excluded: taken, not judged).
    placebo_nights : int
        Recorded nights of a placebo period that ends last night, excluded ones too: it says
        the period is under way (0: none). A placebo period is an experiment that interrupts
        a regimen (:data:`model.decision.candidates.EXPERIMENTS`): ``current`` is then the
        regimen it interrupted, which ``continue`` goes back to, and ``nights_on_current`` is
        that of that regimen's last run.
    recently_taken : Regimen
        The last magnesium regimen of the last ``gi_window`` nights (no magnesium: none), so
        that a night skipped does not make someone taking magnesium one who is not.
    background_gi_rate : float
        The share of GI nights without magnesium (placebo included), from at least
        :data:`~model.decision.gi_facts.BACKGROUND_NIGHTS` such nights with a GI record
        (else 0): a person with loose stools twice a week before magnesium is not told every
        week that magnesium gives them.
    gi_records_on : int
        Nights on magnesium with a GI record (stool form or an upset stomach), those the GI
        rules set aside included: with none, each step's GI chance comes from the evidence
        alone (a diary of stool forms on period days only was told to write them: /tmp/w56/m2
        N3).
    gi_troubled : frozenset of Regimen
        Regimens that gave ``acute_gi_nights`` GI nights within ``gi_window`` nights on them,
        not since taken for long without one
        (:func:`~model.decision.gi_facts.gi_troubled_regimens`): the planned titration does
        not go back to one, nor does a return to it skip the evaluation period.
    planned_forms : frozenset of str
        The magnesium forms of the treatment nights of a trial the person planned
        (:func:`planned_forms`): two or more, once tried, end the crossover
        (:meth:`compared`).
    hard_week : bool
        The diary's last nights make a week of very high anxiety
        (:func:`~model.decision.hard_week.very_anxious`):
        no change is made then but what safety asks for (:mod:`model.decision.choice`).
    skipped : int
        The diary's last nights without magnesium read as nights skipped of ``current``
        (:func:`trailing_skips`; 0: none). A stop or withdrawal begun on them counts them
        among its nights (:func:`~model.decision.look_nights.review_days`).
    last_night : datetime.date or None
        The date of the diary's last night, for the words (None: not known); not compared.
    unrecorded : frozenset of str
        Model outcomes the diary has a column for but no night of
        (:func:`model.data.recorded.unrecorded_outcomes`): the coming nights will not show them
        either, so a period teaches nothing of them (:func:`model.decision.utility.evaluate`)
        and one that counts for the person is warned of. Empty before any diary.
    other_change : tuple of (datetime.date, str), optional
        The last night with an ``other_change`` (:mod:`model.data.life_events`) and its text
        ("started sertraline 50 mg"); None: none written.
    other_change_nights : int
        Nights from that night (counted) to the last night analysed (:meth:`through`): for
        one evaluation period of them no change is made for a gain or to learn
        (:func:`model.decision.overrides.held_for_other_change`). 0 without one.
    first_night : datetime.date or None
        The date of the diary's first night (None: not known): a medicine started after it
        is another change (:func:`model.decision.overrides.with_medicine_starts`).
    excluded_on_current : int
        Nights of the run of :attr:`nights_on_current` left out by ``exclude``: not counted
        in it, so its evaluation period and next look come that many judged nights later
        (:func:`model.decision.judged_nights.left_out_words` says so).
    unwritten_on_current : int
        Nights of that run not written down, those after the diary's last (:meth:`through`)
        too: not among the written nights it is judged on (:meth:`written`).
    since_taken : int
        The diary's last nights without magnesium (none or placebo) after :attr:`taking` (0:
        taken last night, or none lately): a contraindication says not to restart it, not
        "stop now" (said after 6 nights off: an outside audit, /tmp/w46/A F6).
    pattern : Taking
        How :attr:`taking` was taken lately, where the run began, after what lapse (words).
    gi_trouble_words : mapping of Regimen -> str
        What the GI nights of each regimen of :attr:`gi_troubled` were ("loose stools", "an
        upset stomach"), for the words; one not in it is said to give "stomach trouble".
    before_diary : mapping of Regimen -> int
        The nights on the diary's first regimen before its first night, from the profile's
        ``taking_since`` (:func:`~model.decision.judged_nights.nights_before`): they count
        toward its period (:meth:`nights_of`), never as written, tried or baseline nights.
    before_run : int
        Those of them in the current run (one from the diary's first night): counted in
        :attr:`nights_on_current`, not among its written nights (:meth:`written`).
    as_needed : Indication or None
        The form lately taken, when it was taken on nights already worse before the dose
        (:func:`~model.decision.as_needed.indication`); None: not so, or none taken.

    """

    current: Regimen = NO_MAGNESIUM
    nights_on_current: int = 0
    forms_tried: frozenset[str] = frozenset()
    recent_gi_nights: int = 0
    nights_on: Mapping[Regimen, int] = field(default_factory=dict)
    placebo_nights: int = 0
    recently_taken: Regimen = NO_MAGNESIUM
    gi_troubled: frozenset[Regimen] = frozenset()
    background_gi_rate: float = 0.0
    gi_records_on: int = 0
    planned_forms: frozenset[str] = frozenset()
    hard_week: bool = False
    skipped: int = 0
    last_night: dt.date | None = field(default=None, compare=False)
    unrecorded: frozenset[str] = frozenset()
    other_change: tuple[dt.date, str] | None = None
    other_change_nights: int = 0
    first_night: dt.date | None = field(default=None, compare=False)
    excluded_on_current: int = 0
    unwritten_on_current: int = 0
    since_taken: int = 0
    pattern: Taking = field(default_factory=Taking, compare=False)
    gi_trouble_words: Mapping[Regimen, str] = field(default_factory=dict, compare=False)
    before_diary: Mapping[Regimen, int] = field(default_factory=dict)
    before_run: int = 0
    as_needed: Indication | None = None

    @property
    def first_step(self) -> bool:
        """True before any magnesium night: the advice rests on the priors alone."""
        return (not self.forms_tried and not self.current.active
                and not any(r.active for r in self.nights_on))

    def taken_as_needed(self, s: DecisionSettings) -> bool:
        """Whether the current regimen was taken when needed, so its nights judge nothing.

        Its form is :attr:`as_needed`'s (:mod:`model.decision.as_needed`), and its run is
        shorter than an evaluation period (``s.min_nights``) or still taken on and off
        (:meth:`~model.decision.on_off.Taking.on_and_off`): no stop for harm, no commitment,
        no change for a gain or to learn while it is so. Once taken every night for a period,
        as the advice asks, its nights judge it again: the window of the finding (56 nights)
        would otherwise have held it for weeks more. Taken every other night, a run joins
        across its gaps (nights skipped), and the hold had lifted on nights still taken when
        needed (the second round of the as-needed audit, /tmp/w57/n2 C).
        """
        return (self.as_needed is not None and self.current.active
                and self.current.form == self.as_needed.form
                and (self.nights_on_current < s.min_nights or self.pattern.on_and_off(s)))

    @property
    def known_nights(self) -> int:
        """Judged nights on the current regimen, in all its runs (none excluded).

        A night skipped does not make a regimen taken for months a new one.
        """
        return max(self.nights_on_current, self._all_nights(self.current))

    def _all_nights(self, regimen: Regimen) -> int:
        """Judged nights on ``regimen`` in the diary, and those before it (:attr:`before_diary`)."""
        return self.nights_on.get(regimen, 0) + self.before_diary.get(regimen, 0)

    def written(self, s: DecisionSettings) -> WrittenRun:
        """The current run's written nights and what judging it on them still needs.

        Magnesium on ``floor_nights`` written nights (at most ``min_nights``) in all its runs
        (:func:`~.judged_nights.written_run`); no magnesium on none (a restart never waits).
        The nights before the diary (:attr:`before_run`) are none of the run's.
        """
        nights = self.nights_on_current - self.before_run
        return written_run(nights - self.unwritten_on_current,
                           self.nights_on.get(self.current, 0),
                           nights + self.excluded_on_current,
                           min(s.floor_nights, s.min_nights) if self.current.active else 0,
                           self.excluded_on_current)

    @property
    def nights_off(self) -> int:
        """Recorded nights not excluded without magnesium (none or placebo), in all the diary."""
        return sum(n for regimen, n in self.nights_on.items() if not regimen.active)

    def nights_of(self, regimen: Regimen) -> int:
        """Judged nights on ``regimen`` in all its runs (:attr:`known_nights` for the current).

        Fewer than one evaluation period of them: the regimen has not been judged, so it is
        never a commitment (:func:`model.decision.choice.untried`). Those before the diary
        count (:attr:`before_diary`): a return to a regimen taken for a month before it need
        not wait after a withdrawal (/tmp/w50/a F4).
        """
        return self.known_nights if regimen == self.current else self._all_nights(regimen)

    @property
    def taking(self) -> Regimen:
        """The magnesium being taken: the current regimen, else the one taken lately."""
        return self.current if self.current.active else self.recently_taken

    @property
    def reference(self) -> Regimen:
        """What gains are measured against: the current regimen (no magnesium when none)."""
        return self.current if self.current.active else NO_MAGNESIUM

    def compared(self, forms: int) -> bool:
        """Whether a planned comparison is over: a crossover of ``forms`` forms (0: none).

        Or a trial the person planned (``mgsleep plan``) of two or more forms, each tried:
        it answered the question it was planned for, so the model's own crossover does not
        send them on to a form they never chose to try, "to learn" (a blinded trial of
        glycinate, citrate and placebo ended on "Switch to taurate", or on "Continue
        glycinate" when glycinate's pot came last: an outside audit).
        """
        return self.trial_over or 0 < forms <= len(self.forms_tried)

    @property
    def trial_over(self) -> bool:
        """Whether the diary holds a planned trial of two or more forms, each one tried."""
        return len(self.planned_forms) >= 2 and self.planned_forms <= self.forms_tried

    def through(self, as_of: dt.date) -> History:
        """The history with the nights after the diary's last, up to ``as_of``, on the run.

        The decision assumes nothing changed since the diary's last night: those nights
        count in the current regimen's run (:attr:`nights_on_current`), so that the date of
        the next look stays put when a night is not written down. Not after a placebo
        period or nights read as skipped (nothing changed is then not taking magnesium), nor
        without a known last night.
        """
        if self.last_night is None or as_of <= self.last_night:
            return self
        later = (as_of - self.last_night).days
        past = replace(self, other_change_nights=self.other_change_nights + later
                       if self.other_change else 0)
        if self.placebo_nights or self.skipped:
            return past
        return replace(past, nights_on_current=self.nights_on_current + later,
                       unwritten_on_current=self.unwritten_on_current + later)

    @classmethod
    def from_nights(cls, nights: pd.DataFrame, gi_window: int = DecisionSettings.gi_window,
                    judged_nights: int = DecisionSettings.floor_nights,
                    acute_nights: int = DecisionSettings.acute_gi_nights,
                    taking_since: dt.date | None = None) -> History:
        """Derive the history from a diary's ``nights`` frame.

        ``judged_nights``: the recorded nights not excluded on a form from which it counts as
        tried (the shortest evaluation period); ``acute_nights``: the GI nights within
        ``gi_window`` that make a regimen GI-troubled; ``taking_since``: the profile's day the
        first night's magnesium was begun (:attr:`before_diary`).
        """
        if nights.empty:
            return cls()
        regimens = night_regimens(nights)
        recorded = nights["recorded"].to_numpy(bool)
        skipped = trailing_skips(regimens, planned := planned_off(nights))
        start, end = last_run(regimens, len(regimens) - skipped)
        placebo_nights = 0
        if regimens[end - 1].form == PLACEBO and start > 0 and regimens[start - 1].active:
            placebo_nights = int(recorded[start:].sum())
            end = start
        start, excluded = run_start(regimens, end), left_out(nights)
        before = nights_before(regimens[0], night_date(nights, 0), taking_since)
        before_run = before.get(regimens[0], 0) if start == 0 else 0
        nights_on = judged_on(regimens, recorded, excluded)
        taken = next((r for r in reversed(regimens[-gi_window:]) if r.active), NO_MAGNESIUM)
        current = regimens[end - 1]
        gi_night = rules_gi_nights(nights)                     # 1, 0 or NaN (no record)
        gi, on = gi_night == 1, np.array([r.active for r in regimens])
        on_run, out, unwritten = run_nights(regimens, recorded, excluded, start, end)
        troubled = gi_troubled_regimens(regimens, gi_night, loose_nights(nights, gi_night),
                                        gi_window, acute_nights)
        return cls(current, on_run + before_run, tried_forms(nights_on, judged_nights),
                   recent_gi(regimens, gi, current if current.active else taken, gi_window),
                   nights_on, placebo_nights, taken, frozenset(troubled),
                   background_gi(gi_night[~on]), int(nights["gi_night"][on].notna().sum()),
                   planned_forms(nights), very_anxious(nights)[0] >= HARD_WEEK[0], skipped,
                   night_date(nights, -1), unrecorded_outcomes(nights), *_other_change(nights),
                   night_date(nights, 0), out, unwritten,
                   int(on[::-1].argmax()) if taken.active else 0, taking_pattern(
                       nights, regimens, planned, start, skipped, current if current.active
                       else taken), troubled, before, before_run,
                   indication(nights, regimens, planned))


def planned_forms(nights: pd.DataFrame) -> frozenset[str]:
    """The magnesium forms of the treatment nights of a planned trial in a diary's nights.

    An open plan's treatment rows have ``treatment`` in ``notes``; an unblinded plan's keep
    their pot code (:data:`~model.data.pot_notes.CODE_NOTE`) beside the form the key gave.
    """
    notes = plan_notes(nights)
    planned = notes.str.strip().str.lower().eq("treatment") | notes.str.match(CODE_NOTE)
    return frozenset(nights.loc[planned, "form"].astype(str)) - {NONE, PLACEBO}


def plan_notes(nights: pd.DataFrame) -> pd.Series:
    """Each night's ``notes`` as text ("" without), where a trial plan writes its kind of night."""
    return nights.get("notes", pd.Series("", index=nights.index)).fillna("").astype(str)


def night_regimens(nights: pd.DataFrame) -> list[Regimen]:
    """The regimen of each night of a diary's ``nights`` frame (form, elemental_mg, split)."""
    return [Regimen(str(f), float(mg) if pd.notna(mg) else 0.0, bool(s) if pd.notna(s) else False)
            for f, mg, s in zip(nights["form"], nights["elemental_mg"], nights["split"],
                                strict=True)]


def trailing_skips(regimens: list[Regimen], planned: Sequence[bool] = ()) -> int:
    """The diary's last nights read as nights skipped of the magnesium regimen before them.

    Nights without magnesium (not placebo) that end the diary, at most
    :data:`SKIPPED_NIGHTS` of them, after a night of a magnesium regimen: as within a run
    (:func:`~.judged_nights.run_start`), so few nights change the magnesium store little, and
    they neither end the run nor count. More of them, or none, give 0; so does any of them
    that a trial plan sets without magnesium (``planned``, per night: :func:`planned_off`): a
    planned washout is a stop, not a dose forgotten (its first night was read as a skip, and
    the decision went on from glycinate 300 mg as if still taken).
    """
    count = len(regimens) - off_run_start(regimens, len(regimens))
    if count > SKIPPED_NIGHTS or count == len(regimens) or not regimens[-1 - count].active \
            or any(planned[len(planned) - count:]):
        return 0
    return count


def planned_off(nights: pd.DataFrame) -> list[bool]:
    """Per night, whether a trial plan set it without magnesium (notes baseline or washout)."""
    return plan_notes(nights).str.strip().str.lower().isin(PLAN_NOTES - {"treatment"}).tolist()


def _other_change(nights: pd.DataFrame) -> tuple[tuple[dt.date, str] | None, int]:
    """The last ``other_change`` of a ``nights`` frame indexed by date, and the nights since.

    The nights are counted from that night to the frame's last, both included; (None, 0)
    without one.
    """
    changes = other_changes(nights)
    if not changes:
        return None, 0
    day, text = changes[-1]
    return (day.date(), text), int((nights.index[-1] - day).days) + 1


def history(diary: DiaryLike | History | None, gi_window: int = DecisionSettings.gi_window,
            judged_nights: int = DecisionSettings.floor_nights,
            acute_nights: int = DecisionSettings.acute_gi_nights, *,
            taking_since: dt.date | None = None) -> History:
    """Return the :class:`History` of a diary (``None``: no data yet).

    ``taking_since``: the profile's (:meth:`History.from_nights`); not read for a history.
    """
    if diary is None or isinstance(diary, History):
        return History() if diary is None else diary
    return History.from_nights(diary.nights, gi_window, judged_nights, acute_nights,
                               taking_since)
