"""The hard rules: screening a profile, blocking candidates, the evaluation period.

- :func:`~model.decision.screening.screen` (from ``safety.toml``) gives the
  :class:`~model.decision.screening.Screening` the rules below read.
- :func:`blocks`: a candidate above the ceiling, of an excluded form or breaking the GI
  chance constraint is blocked. Before the current regimen has ``min_nights`` recorded nights
  (the evaluation period, :func:`evaluation_nights`) only ``continue`` is open, plus
  ``decrease_dose`` / ``split_dose`` / ``stop`` when safety asks for them (an acute GI
  problem, a current regimen above the ceiling, excluded or breaking the GI constraint) and
  then also a ``switch_form`` to a form gentler for this person (a lower P(GI constraint
  violated) than the current one), and a return to a regimen already judged over a full
  period (unless ``period_holds_changes`` is off: at the end of a trial of known length).
  An experiment (placebo period, withdrawal) returns to the current regimen: it is blocked
  when that regimen breaks the GI constraint or gives loose stools now. During loose stools
  (the acute GI rule) a change that keeps magnesium is open only when its P(GI constraint
  violated) is below continuing's: a switch to a harsher form was advised beside the warning.

A current dose written as the compound's weight (``compound``,
:class:`~model.decision.compound_ceiling.CompoundDose`) is read on the safe side by the
ceiling: the current regimen, and any of its form at that dose or more, count as the most
magnesium the weight written can hold (2500 mg of chloride: up to 638 mg, not the 299 mg the
analysis models).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

import numpy as np

from model.core.regimen import Regimen
from model.data.weights import counting_most
from model.decision import rule_words
from model.decision.candidates import Candidate
from model.decision.compound_ceiling import CompoundDose
from model.decision.history import History
from model.decision.learning import steady_nights
from model.decision.period_words import skipped_note
from model.decision.screening import Screening
from model.decision.settings import DecisionSettings

SAFETY_MOVES = frozenset({"decrease_dose", "split_dose", "stop"})
"""The changes still open during the evaluation period when safety asks for them (and a
switch to a gentler form, :func:`blocks`)."""

Block = tuple[str, str]
"""Why a candidate is blocked: a stable code and a sentence."""


def acute_gi(past: History, s: DecisionSettings) -> bool:
    """True when magnesium gave ``acute_gi_nights`` GI nights lately, beyond the person's own.

    Beyond the person's background: the GI nights a window of ``gi_window`` nights holds at
    their rate without magnesium (:attr:`History.background_gi_rate`, rounded down).
    """
    usual = math.floor(past.background_gi_rate * s.gi_window)
    return past.recent_gi_nights >= s.acute_gi_nights + usual


def _judged_return(candidate: Candidate, past: History, s: DecisionSettings) -> bool:
    """True for a return to a regimen already judged over a full evaluation period.

    Not to no magnesium (the baseline is no form shown to work): stopping waits for the
    period unless safety asks for it, else "Stop taking magnesium. Why: To learn" came 7
    nights into the period the advice had just set. Nor before the magnesium being taken has
    had ``floor_nights`` (the shortest period): "switch to citrate, look again in 19 nights"
    was undone the next morning by a return to threonate, on the expected utilities the
    switch had been made against (a daily user's audit, /tmp/hL). A restart after a stop
    does not wait.
    """
    return (candidate.regimen.active and not candidate.experiment
            and candidate.regimen != past.current
            and past.nights_of(candidate.regimen) >= s.min_nights
            and (not past.current.active or past.known_nights >= s.floor_nights))


def _returning(candidate: Candidate, past: History, s: DecisionSettings) -> bool:
    """A return that need not wait for the period: judged (:func:`_judged_return`), not GI.

    Not to one whose GI trouble is not over (:attr:`History.gi_troubled`): after a night
    skipped during loose stools on glycinate 300 mg, "start glycinate 300 mg" was the only
    step open. Trouble followed by months on the regimen without it is over: two upset
    stomachs in September held back a return to taurate 300 mg after a break in December
    (/tmp/w50/b F-4).
    """
    return _judged_return(candidate, past, s) and candidate.regimen not in past.gi_troubled


def ceiling_read(regimen: Regimen, compound: CompoundDose | None) -> float:
    """The daily dose the ceiling reads for ``regimen``: its own, or a compound's safe side."""
    return regimen.elemental_mg if compound is None else compound.ceiling_mg(regimen)


def _rule_blocks(candidate: Candidate, rules: Screening, past: History,
                 safety_exempt: bool, s: DecisionSettings,
                 compound: CompoundDose | None, wait: str) -> list[Block]:
    """A hard rule or the evaluation period blocks a candidate: (code, reason) pairs.

    ``safety_exempt``: the candidate is a change safety asks for, open during the period;
    ``compound``: the current dose as a compound's weight (:func:`ceiling_read`); ``wait``:
    the evaluation period's words (:func:`rule_words.waiting_block`), the same for each.
    """
    found = []
    regimen = candidate.regimen
    if (read := ceiling_read(regimen, compound)) > rules.ceiling_mg:
        found.append(("above_ceiling", rule_words.above_ceiling_block(read, rules.ceiling_mg)))
    if regimen.active and regimen.form not in rules.allowed_forms:
        found.append(("excluded_form", rule_words.excluded_block(regimen.form)))
    waiting = (s.period_holds_changes and candidate.action != "continue"
               and not past.first_step
               and past.nights_on_current < s.min_nights
               and not safety_exempt
               and not _returning(candidate, past, s))
    if waiting:
        found.append(("waiting", wait))
    return found


def blocks(candidates: Sequence[Candidate], p_violation: np.ndarray, past: History,
           rules: Screening, epsilon: float, s: DecisionSettings, *,
           harm: bool = False, compound: CompoundDose | None = None) -> list[tuple[Block, ...]]:
    """Why each candidate is blocked (empty: allowed), in candidate order.

    A return to a regimen already judged over a full evaluation period (a form shown to work)
    does not wait for the current period to end, nor does stopping a regimen that probably
    does harm (``harm``: :meth:`DecisionSettings.harmful`).

    Parameters
    ----------
    candidates : sequence of Candidate
        ``continue`` first.
    p_violation : numpy.ndarray
        Each candidate's P(GI constraint violated).
    past : History
        The diary's facts.
    rules : Screening
        The profile's hard rules.
    epsilon : float
        The largest P(GI constraint violated) allowed.
    s : DecisionSettings
        The evaluation period and the acute GI threshold.
    harm : bool
        The current regimen probably does harm: stopping does not wait for its period.
    compound : CompoundDose, optional
        The current dose as a compound's weight: the ceiling reads it on the safe side
        (:func:`ceiling_read`).

    Returns
    -------
    list of tuple of (code, reason)
        Codes: ``above_ceiling``, ``excluded_form``, ``waiting``, ``gi_limit``.

    """
    acute, now = acute_gi(past, s), float(p_violation[0])
    # an experiment returns to the current regimen: not to one over the limit or acute
    back = rule_words.return_block(past.current, now, epsilon) if now > epsilon or acute else ""

    def gi_limits(k: int, c: Candidate, p: float) -> list[Block]:
        if c.experiment and back:
            return [("gi_limit", back)]
        found = [("gi_limit", rule_words.gi_block(p, epsilon))] if p > epsilon else []
        if acute and k and c.regimen.active and not c.experiment and p >= now:
            found.append(("gi_limit", rule_words.not_gentler_block(p, now)))  # gentler only
        return found

    gi_blocks = [gi_limits(k, c, float(p)) for k, (c, p) in enumerate(zip(candidates,
                                                                          p_violation,
                                                                          strict=True))]
    unsafe_now = bool(_rule_blocks(candidates[0], rules, past, False, s, compound, "")
                      or gi_blocks[0])      # continuing never waits: no words of the wait
    exempt = unsafe_now or acute
    # what does not wait is said beside what does ("Start glycinate 200 mg" stood beside
    # "changes wait 2 more nights": a biostatistician, /tmp/w46/E F5)
    wait = rule_words.waiting_block(
        past, s, tuple(c.regimen for c in candidates if _returning(c, past, s)), exempt or harm,
        tuple(c.regimen for c in candidates
              if _judged_return(c, past, s) and c.regimen in past.gi_troubled))

    def safety_move(c: Candidate, p: float) -> bool:
        gentler = c.action == "switch_form" and p < p_violation[0]
        return (exempt and (c.action in SAFETY_MOVES or gentler)) or (harm and c.action == "stop")

    return [tuple(_rule_blocks(c, rules, past, safety_move(c, p), s, compound, wait) + gi)
            for c, p, gi in zip(candidates, p_violation, gi_blocks, strict=True)]


BREACHES = frozenset({"current_excluded", "current_above_ceiling"})
"""The reason codes of :func:`current_breaks`."""


def current_breaks(current: Regimen, rules: Screening,
                   compound: CompoundDose | None = None) -> tuple[str, ...]:
    """The hard rules the current regimen breaks, as reason codes.

    ``current_excluded`` (a form the profile excludes), ``current_above_ceiling`` (its dose
    as the ceiling reads it, :func:`ceiling_read`).
    """
    codes = []
    if current.active and current.form not in rules.allowed_forms:
        codes.append("current_excluded")
    if ceiling_read(current, compound) > rules.ceiling_mg:
        codes.append("current_above_ceiling")
    return tuple(codes)


def breach_warnings(current: Regimen, rules: Screening,
                    compound: CompoundDose | None = None) -> list[str]:
    """The warnings of the hard rules ``current`` breaks: above the ceiling, an excluded form.

    Above the ceiling only as a compound's weight read on the safe side, the warning says so
    (:func:`rule_words.current_above_ceiling_warning`).
    """
    breaks = current_breaks(current, rules, compound)
    notes = []
    if "current_above_ceiling" in breaks:
        notes.append(rule_words.current_above_ceiling_warning(current, rules.ceiling_mg,
                                                              compound))
    if "current_excluded" in breaks:
        notes.append(rule_words.current_excluded_warning(current))
    return notes


def current_warnings(past: History, rules: Screening, s: DecisionSettings,
                     weights: Mapping[str, float],
                     compound: CompoundDose | None = None) -> list[str]:
    """Warnings about the current regimen and the diary: acute GI, breaches, what is unrecorded.

    First, the diary's last nights read as nights skipped (:attr:`History.skipped`), but
    not beside a contraindication: its first reason says them ("do not restart"), where "the
    period goes on" contradicted it (an outside audit, /tmp/w46/A F6).

    GI nights that the acute rule leaves to the person's own background are said too, as
    such (the person had been told nothing about them).

    Without a GI record on any magnesium night, every step's P(GI constraint violated) is the
    evidence's alone, which may block continuing; the person is told what to record. So is
    an outcome of ``weights`` (the person's) that weighs at least half the heaviest and that
    no night of the diary records (:attr:`History.unrecorded`): its expected change is the
    evidence's, and the coming nights cannot show it (an anxiety complaint with no anxiety
    column was told nothing of it). ``compound``: the current dose as a compound's weight
    (:func:`breach_warnings`).
    """
    hold = rules.medicine_hold and not rules.referrals
    notes = [skipped_note(past)] if past.skipped and not rules.referrals else []
    if acute_gi(past, s):
        notes.append(rule_words.acute_gi_warning(past, s, hold))
    elif past.recent_gi_nights >= s.acute_gi_nights:
        notes.append(rule_words.usual_gi_note(past, s))
    notes += breach_warnings(past.current, rules, compound)
    if any(r.active for r in past.nights_on) and not past.gi_records_on:
        notes.append(rule_words.NO_GI_RECORDS)
    heavy = counting_most(weights)
    return notes + [rule_words.unrecorded_warning(o, weights[o] == weights[heavy[0]])
                    for o in heavy if o in past.unrecorded]


def evaluation_nights(onset_days: float, s: DecisionSettings) -> int:
    """The evaluation period: nights until ``steady_share`` of steady state, within bounds."""
    nights = math.ceil(steady_nights(onset_days, s.steady_share))
    return int(min(max(nights, s.floor_nights), s.max_period_nights))


LATE_SYNC_DAYS = 7
"""A diary whose last night is at most this many days before today is one brought up to date
late (a tracker synced every few days): a change begins tonight. An older one is out of date:
its review counts from its last night, and the report says to log the nights since."""


def change_starts(as_of: dt.date, today: dt.date | None) -> dt.date:
    """The night after which a change's nights are counted.

    ``as_of`` (the diary's last night), or the night before ``today`` when that is at most
    :data:`LATE_SYNC_DAYS` later: advice read today begins tonight, so its evaluation period
    counts from tonight.
    """
    if today is None or (today - as_of).days > LATE_SYNC_DAYS:
        return as_of
    return max(as_of, today - dt.timedelta(days=1))


def review_from(action: str, as_of: dt.date, today: dt.date | None) -> dt.date:
    """The night a next review's days count from.

    ``as_of`` when the regimen stays (the nights since are on it), else
    :func:`change_starts`.
    """
    return as_of if action in ("continue", "collect_more_data") else change_starts(as_of, today)


def review_after(start: dt.date, nights: int) -> dt.date:
    """The morning to look again: after ``nights`` nights, the first the night after ``start``.

    A period of 10 nights from a diary whose last night is 2026-12-04 runs the nights of
    2026-12-05 to 2026-12-14; the look is the morning of 2026-12-15, when the tenth night is
    in the diary (the review was once dated 2026-12-14, and a person who looked then was told
    to wait one more night).
    """
    return start + dt.timedelta(days=nights + 1)


def nights_until(review: dt.date, start: dt.date) -> int:
    """The nights from the night after ``start`` to a review (:func:`review_after`'s inverse)."""
    return (review - start).days - 1
