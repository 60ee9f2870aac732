"""The hard rules: screening a profile, blocking candidates, the evaluation period.

- :func:`screen` (from ``safety.toml``): a contraindication means ``refer``; cautions,
  interacting medicines (each named with its timing rule) and depletion notes become warnings;
  excluded forms are removed; the daily ceiling is the profile's, at most the safety ceiling.
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
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from model.core.forms import FORMS
from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision import rule_words
from model.decision.candidates import Candidate
from model.decision.history import History
from model.decision.learning import steady_nights
from model.decision.settings import DecisionSettings
from model.evidence.floor import loosened
from model.evidence.names import NameIndex, listed, unknown_warning
from model.evidence.schema import Contraindication, Safety, raise_if

SAFETY_MOVES = frozenset({"decrease_dose", "split_dose", "stop"})
"""The changes still open during the evaluation period when safety asks for them (and a
switch to a gentler form, :func:`blocks`)."""

Block = tuple[str, str]
"""Why a candidate is blocked: a stable code and a sentence."""


@dataclass(frozen=True)
class Screening:
    """The outcome of the hard rules for one profile.

    Parameters
    ----------
    referrals : tuple of str
        The contraindications found, each its reason (``safety.toml``), and each unknown
        condition within a typo of one; any one means ``refer`` (stop now, when taking
        magnesium: :func:`model.decision.rule_words.refer_reasons`).
    warnings : tuple of str
        Cautions, medicine timing rules (each naming the medicine), depletion notes.
    ceiling_mg : float
        The daily elemental dose never to exceed.
    allowed_forms : tuple of str
        The forms not excluded by the profile.
    holds : tuple of str
        The rules with which magnesium is not changed without a clinician (``kind =
        "clinician"``: digoxin among the medicines, pregnancy); any one means ``refer`` that
        keeps the current routine within the ceiling
        (:func:`model.decision.rule_words.hold_reasons`).
    unchecked : tuple of str
        The conditions and medicines the safety data does not know (accepted with
        ``--allow-unknown``): no rule was checked for them, and the advice says to ask a
        pharmacist or clinician first.
    medicine_hold : bool
        A hold comes from a medicine (digoxin), with which stopping or lowering magnesium
        is a change too; a condition's hold (pregnancy) lets a dose be lowered to the ceiling.

    """

    referrals: tuple[str, ...]
    warnings: tuple[str, ...]
    ceiling_mg: float
    allowed_forms: tuple[str, ...]
    holds: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()
    medicine_hold: bool = False


def _applies(rule: Contraindication, profile: Profile, conditions: frozenset[str]) -> bool:
    if rule.condition is not None and rule.condition in conditions:
        return True
    if rule.field in ("egfr", "age"):
        value = getattr(profile, rule.field)
        return value is not None and rule.below is not None and value < rule.below
    return rule.field == "pregnant" and profile.pregnant is True


Matched = dict[str, str | None]
"""Each name as the profile gives it -> the safety data's name for it (None: unknown)."""


def _medicine_warnings(medicines: Matched, safety: Safety,
                       near: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Warnings of the profile's medicines, except referrals and holds.

    :class:`Screening` keeps those apart; a decision gives a hold as a warning beside a
    referral. An unknown name taken as known ones (``near``: :func:`_medicine_near_misses`)
    says so in its NOT CHECKED warning.
    """
    found = []
    for given, medicine in medicines.items():
        if medicine is None:
            found.append(unknown_warning(given, "medicine", near.get(given, ())))
            continue
        found += [rule_words.medicine_warning(given, medicine, group)
                  for group in safety.interactions
                  if medicine in group.medications and group.kind not in ("refer", "clinician")]
    return found


def _medicine_rules(medicines: Matched, safety: Safety, kind: str) -> tuple[str, ...]:
    """The rules of the profile's medicines of groups of ``kind``, naming the medicine.

    ``clinician``: magnesium is not changed without the prescriber (a hold, digoxin);
    ``refer``: magnesium is not taken with it (a referral: stop now, raltegravir).
    """
    taken = {medicine: given for given, medicine in medicines.items() if medicine is not None}
    return tuple(f"{taken[m]}: {group.rule}" for group in safety.interactions
                 if group.kind == kind for m in group.medications if m in taken)


def _near_misses(unknown: Sequence[str], safety: Safety,
                 names: NameIndex) -> list[tuple[str, Contraindication, str]]:
    """Unknown conditions that may be a contraindication: each name, rule and reason.

    A name mgsleep cannot read may be the contraindication it looks like (within a typo of
    its name: ``myasthenia gravus``) or the one it names inside longer words (``ESRD on
    HD``, ``history of heart block``, ``CKD 3 to 4``): accepted with ``--allow-unknown``, it
    refers, or holds (``pregnent``), with that rule's ceiling, as the rule would, rather
    than give a dose.
    """
    found = []
    for given in unknown:
        close = names.suggest(given, "condition")
        inside = names.within(given, "condition")
        meant = inside or ((names.conditions[close],) if close else ())
        for rule in (c for c in safety.contraindications if c.condition in meant):
            how = (f"looks like {close!r}" if close and names.conditions[close] == rule.condition
                   else f"names {rule.condition!r}")
            found.append((given, rule, f"{given!r} is not in mgsleep's safety data but {how}: "
                                       f"{rule.reason}"))
    return found


def _conditions_taken(misses: Sequence[tuple[str, Contraindication, str]]
                      ) -> dict[str, tuple[str, ...]]:
    """Each unknown condition of :func:`_near_misses` -> the conditions whose rules it got."""
    taken: dict[str, tuple[str, ...]] = {}
    for given, rule, _ in misses:
        taken[given] = (*taken.get(given, ()), *((rule.condition,) if rule.condition else ()))
    return taken


def near_misses(profile: Profile, safety: Safety) -> dict[str, tuple[str, ...]]:
    """The profile's unknown names taken as known ones, whose rules apply, and those names.

    An unknown condition that may be a contraindication (:func:`_near_misses`), an unknown
    medicine within a typo of a known one (:func:`_medicine_near_misses`). They stay NOT
    CHECKED (:attr:`Screening.unchecked`), but a rule was applied: the clinician page said
    "no rule applied" of ``levothyroxin`` beside the spacing of levothyroxine it was given.
    """
    names = NameIndex.of(safety)
    unknown = [c for c in profile.conditions if names.match(c, "condition") is None]
    medicines: Matched = {m: names.match(m, "medicine") for m in profile.medications}
    return (_conditions_taken(_near_misses(unknown, safety, names))
            | _medicine_near_misses(medicines, names))


def _medicine_near_misses(medicines: Matched,
                          names: NameIndex) -> dict[str, tuple[str, ...]]:
    """Unknown medicines within a typo of a known one, and the known ones each is taken as.

    ``digoxine`` accepted with ``--allow-unknown`` was given a dose while ``digoxin`` holds
    it; ``levothyroxin`` lost the 4-hour spacing of ``levothyroxine``. An unknown name that
    holds known ones whole (``digoxin levothyroxine``) is taken as each of them, not as the
    one closest to it; a class of medicines (``bisphosphonates``) as every member of it. Each
    is kept among the unknown names too (NOT CHECKED), and its rules name both spellings.
    """
    near = {given: names.members(given, close=True) or names.within(given, "medicine")
            or ((names.medicines[close],) if (close := names.suggest(given, "medicine")) else ())
            for given, m in medicines.items() if m is None}
    return {given: meant for given, meant in near.items() if meant}


def _taken_as(near: Mapping[str, tuple[str, ...]], safety: Safety) -> dict[str, str]:
    """Entries for the near misses' rules: one per unknown name and interaction group.

    The label names what the name was taken as within the group (``bisphosphonates (not in
    the safety data; taken as alendronate, risedronate, ibandronate or etidronate)``): a
    class's members share their group's rule, said once.
    """
    entries = {}
    for given, meant in near.items():
        for group in safety.interactions:
            inside = [m for m in meant if m in group.medications]
            if inside:
                said = listed(inside, "or", quoted=False)
                entries[f"{given} (not in the safety data; taken as {said})"] = inside[0]
    return entries


def screen(profile: Profile, safety: Safety) -> Screening:
    """Apply the hard rules of ``safety.toml`` to a profile.

    Conditions and medicines are matched through the synonym table of the safety data
    (:class:`model.evidence.names.NameIndex`); a name it does not know gives a "NOT CHECKED"
    warning, never silence. Rules looser than the package's safety floor are refused.

    Raises
    ------
    PriorsError
        When ``safety`` is less strict than the bundled ``safety.toml``.

    """
    raise_if(loosened(safety, "<safety rules in use>"))
    names = NameIndex.of(safety)
    matched = {c: names.match(c, "condition") for c in profile.conditions}
    medicines: Matched = {m: names.match(m, "medicine") for m in profile.medications}
    near = _medicine_near_misses(medicines, names)
    medicines |= _taken_as(near, safety)
    conditions = frozenset(m for m in matched.values() if m is not None)
    unknown = [c for c, m in matched.items() if m is None]
    misses = _near_misses(unknown, safety, names)
    found = [(c, c.reason) for c in safety.contraindications
             if _applies(c, profile, conditions)] + [(rule, why) for _, rule, why in misses]
    referrals = tuple([reason for c, reason in found if c.kind == "refer"]
                      + list(_medicine_rules(medicines, safety, "refer")))
    medicine_holds = _medicine_rules(medicines, safety, "clinician")
    holds = (*(reason for c, reason in found if c.kind == "clinician"), *medicine_holds)
    fields = {c.field for c, _ in found} - {None}
    taken = _conditions_taken(misses)
    warnings = [unknown_warning(c, "condition", taken.get(c, ())) for c in unknown]
    warnings += [c.reason for c in safety.cautions
                 if _applies(c, profile, conditions) and c.field not in fields]
    warnings += _medicine_warnings(medicines, safety, near)
    ceiling = profile.ceiling_mg(safety)
    if profile.max_elemental_mg is not None and profile.max_elemental_mg > ceiling:
        warnings.append(rule_words.ceiling_warning(profile.max_elemental_mg, ceiling,
                                                safety.ceiling.source))
    rules = [c for c, _ in found] + [c for c in safety.cautions
                                     if _applies(c, profile, conditions)]
    ceiling = min([ceiling, *(c.ceiling_mg for c in rules if c.ceiling_mg is not None)])
    allowed = tuple(f for f in FORMS if f not in profile.excluded_forms)
    unchecked = (*unknown, *(given for given in profile.medications if medicines[given] is None))
    return Screening(referrals, tuple(warnings), ceiling, allowed, holds, unchecked,
                     bool(medicine_holds))


def acute_gi(past: History, s: DecisionSettings) -> bool:
    """True when magnesium gave ``acute_gi_nights`` GI nights lately, beyond the person's own.

    Beyond the person's background: the GI nights a window of ``gi_window`` nights holds at
    their rate without magnesium (:attr:`History.background_gi_rate`, rounded down).
    """
    usual = math.floor(past.background_gi_rate * s.gi_window)
    return past.recent_gi_nights >= s.acute_gi_nights + usual


def _returning(candidate: Candidate, past: History, s: DecisionSettings) -> bool:
    """True for a return to a regimen already judged over a full evaluation period.

    Not to one that gave loose stools (:attr:`History.gi_troubled`): after a night skipped
    during loose stools on glycinate 300 mg, "start glycinate 300 mg" was the only step open.
    Nor to no magnesium (the baseline is no form shown to work): stopping waits for the
    period unless safety asks for it, else "Stop taking magnesium. Why: To learn" came 7
    nights into the period the advice had just set.
    """
    return (candidate.regimen.active and not candidate.experiment
            and candidate.regimen != past.current
            and candidate.regimen not in past.gi_troubled
            and past.nights_on.get(candidate.regimen, 0) >= s.min_nights)


def _rule_blocks(candidate: Candidate, rules: Screening, past: History,
                 safety_exempt: bool, s: DecisionSettings) -> list[Block]:
    """A hard rule or the evaluation period blocks a candidate: (code, reason) pairs.

    ``safety_exempt``: the candidate is a change safety asks for, open during the period.
    """
    found = []
    regimen = candidate.regimen
    if regimen.elemental_mg > rules.ceiling_mg:
        found.append(("above_ceiling",
                      rule_words.above_ceiling_block(regimen.elemental_mg, rules.ceiling_mg)))
    if regimen.active and regimen.form not in rules.allowed_forms:
        found.append(("excluded_form", rule_words.excluded_block(regimen.form)))
    waiting = (s.period_holds_changes and candidate.action != "continue"
               and not past.first_step
               and past.nights_on_current < s.min_nights
               and not safety_exempt
               and not _returning(candidate, past, s))
    if waiting:
        found.append(("waiting", rule_words.waiting_block(past, s)))
    return found


def blocks(candidates: Sequence[Candidate], p_violation: np.ndarray, past: History,
           rules: Screening, epsilon: float, s: DecisionSettings) -> list[tuple[Block, ...]]:
    """Why each candidate is blocked (empty: allowed), in candidate order.

    A return to a regimen already judged over a full evaluation period (a form shown to work)
    does not wait for the current period to end.

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
    unsafe_now = bool(_rule_blocks(candidates[0], rules, past, False, s) or gi_blocks[0])
    exempt = unsafe_now or acute

    def safety_move(c: Candidate, p: float) -> bool:
        gentler = c.action == "switch_form" and p < p_violation[0]
        return exempt and (c.action in SAFETY_MOVES or gentler)

    return [tuple(_rule_blocks(c, rules, past, safety_move(c, p), s) + gi)
            for c, p, gi in zip(candidates, p_violation, gi_blocks, strict=True)]


BREACHES = frozenset({"current_excluded", "current_above_ceiling"})
"""The reason codes of :func:`current_breaks`."""


def current_breaks(current: Regimen, rules: Screening) -> tuple[str, ...]:
    """The hard rules the current regimen breaks, as reason codes.

    ``current_excluded`` (a form the profile excludes), ``current_above_ceiling``.
    """
    codes = []
    if current.active and current.form not in rules.allowed_forms:
        codes.append("current_excluded")
    if current.elemental_mg > rules.ceiling_mg:
        codes.append("current_above_ceiling")
    return tuple(codes)


def breach_warnings(current: Regimen, rules: Screening) -> list[str]:
    """The warnings of the hard rules ``current`` breaks: above the ceiling, an excluded form."""
    breaks = current_breaks(current, rules)
    notes = []
    if "current_above_ceiling" in breaks:
        notes.append(rule_words.current_above_ceiling_warning(current, rules.ceiling_mg))
    if "current_excluded" in breaks:
        notes.append(rule_words.current_excluded_warning(current))
    return notes


def current_warnings(past: History, rules: Screening, s: DecisionSettings) -> list[str]:
    """Warnings about the current regimen: acute GI, :func:`breach_warnings`, no GI records.

    GI nights that the acute rule leaves to the person's own background are said too, as
    such (the person had been told nothing about them).

    Without a GI record on any magnesium night, every step's P(GI constraint violated) is the
    evidence's alone, which may block continuing; the person is told what to record.
    """
    hold = rules.medicine_hold and not rules.referrals
    notes = []
    if acute_gi(past, s):
        notes.append(rule_words.acute_gi_warning(past, s, hold))
    elif past.recent_gi_nights >= s.acute_gi_nights:
        notes.append(rule_words.usual_gi_note(past, s))
    notes += breach_warnings(past.current, rules)
    if any(r.active for r in past.nights_on) and not past.gi_records_on:
        notes.append(rule_words.NO_GI_RECORDS)
    return notes


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


def review_days(action: str, past: History, s: DecisionSettings) -> int:
    """Days until the next look: the first review, the rest of the period, or a period."""
    if past.first_step:
        return s.first_review_days
    if action == "continue" and past.nights_on_current < s.min_nights:
        return s.min_nights - past.nights_on_current
    return s.min_nights
