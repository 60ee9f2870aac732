"""Screening a profile against ``safety.toml`` (:func:`screen`).

What a profile's conditions and medicines refer, hold, warn of or leave unchecked, and its
daily ceiling. A contraindication means ``refer``; cautions, interacting medicines (each
named with its timing rule) and depletion notes become warnings; excluded forms are
removed; the daily ceiling is the profile's, at most the safety ceiling less the magnesium
the person takes in other products (:mod:`model.decision.other_magnesium`). A name the safety
data does not know (accepted with ``--allow-unknown``) stays NOT CHECKED, but gets the rules
of what it may be: a contraindication within a typo (:func:`near_misses`), a medicine listed
as a condition or the other way round (:func:`~model.decision.name_rules.crossed`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from model.core.forms import FORMS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile
from model.decision import rule_words
from model.decision.name_rules import Matched, crossed, implied, taken_as
from model.decision.other_magnesium import (
    OtherMagnesium,
    at_limit_reason,
    entry_rule,
    magnesium_products,
    on_skin,
    other_magnesium,
    same_warning,
    share_warning,
    skin_note,
    unread_holds,
)
from model.decision.prescribed import (
    PRESCRIBED,
    PRESCRIBED_RULES,
    prescribed_ceiling,
    prescribed_holds,
)
from model.decision.settings import OLDER_AGE, DecisionSettings
from model.evidence.floor import loosened_in_use
from model.evidence.name_words import spoken, unknown_warning
from model.evidence.names import NameIndex
from model.evidence.schema import Contraindication, Safety, raise_if


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
    dose_rules : tuple of str
        The rules among ``warnings`` for taking a dose with the profile's medicines (``kind``
        ``timing``: take apart; ``magnesium``: a medicine that is magnesium too counts
        towards the ceiling), each naming the medicine: the headline says them.
    cautions : tuple of str
        The cautions of the profile's conditions among ``warnings`` (a reduced kidney
        function, a slow heart, inflammatory bowel disease): the headline says them too.
    other_mg : float
        The elemental magnesium a day from the profile's other products, taken off the
        ceiling (:mod:`model.decision.other_magnesium`).
    other_at_limit : bool
        The other magnesium leaves less than the least dose advised
        (``DecisionSettings.min_dose_mg``) under the limit: one of the referrals says so.
    ceiling_rule : tuple of (str, float), or None
        The id and ``ceiling_mg`` of the rule that set the limit below the default ceiling
        (the lowest; pregnancy's 250 mg), for the clinician page's source of the ceiling.
    missing : tuple of str
        The profile's facts that rules read and it does not give (``age``, ``egfr``,
        ``pregnant``), each with a rule it left unchecked, and the lists it does not write
        (``conditions``, ``medications``); "profile" first when no profile was given, "facts"
        when one was that gives no fact a rule can read (:func:`missing_facts`): the
        clinician page names the rules not checked rather than "no contraindication found".
    fact_warnings : tuple of str
        What the facts not given leave unknown, apart from :attr:`warnings`: no profile, no
        age (mgsleep is for adults), and :attr:`fact_cautions`; a decision's warnings and a
        plan's begin with them.
    fact_cautions : tuple of str
        The caution of kidney function not known (no eGFR at 65 or over, or with no age):
        said with the dose, as :attr:`cautions` are.
    rules_applied : tuple of str
        The ids of the contraindications and cautions that applied, for their sources.
    prescribed : bool
        The magnesium is a prescribed treatment (:mod:`model.decision.prescribed`): held as a
        medicine's hold, the ceiling at least the dose taken now; beside a referral, the
        prescriber is contacted today rather than the treatment stopped.
    label_holds : bool
        Every hold is another product's magnesium not read
        (:func:`model.decision.other_magnesium.unread_holds`): the profile's
        ``other_magnesium_mg`` lifts it, not a clinician.

    """

    referrals: tuple[str, ...]
    warnings: tuple[str, ...]
    ceiling_mg: float
    allowed_forms: tuple[str, ...]
    holds: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()
    medicine_hold: bool = False
    dose_rules: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    other_mg: float = 0.0
    other_at_limit: bool = False
    ceiling_rule: tuple[str, float] | None = None
    missing: tuple[str, ...] = ()
    fact_warnings: tuple[str, ...] = ()
    fact_cautions: tuple[str, ...] = ()
    rules_applied: tuple[str, ...] = ()
    prescribed: bool = False
    label_holds: bool = False

    @property
    def all_warnings(self) -> tuple[str, ...]:
        """What the facts not given leave unknown (:attr:`fact_warnings`), then :attr:`warnings`."""
        return (*self.fact_warnings, *self.warnings)

    def with_dose(self, regimen: Regimen | None) -> str:
        """`` With your medicines: ... Take care: ...`` when ``regimen`` is magnesium.

        The :attr:`dose_rules` and the cautions (:attr:`fact_cautions` first, then
        :attr:`cautions`): how to take tonight's dose belongs
        with the advice to take it, not among the warnings below it (a reader audit: a
        ciprofloxacin rule came last in the decision's details; a long-term user's audit:
        "eGFR 30-59 ... check serum magnesium" at line 46 of 52, below a dose increase).
        """
        if regimen is None or not regimen.active:
            return ""
        said = [f" {label}: {'; '.join(rule.removesuffix('.') for rule in rules)}."
                for label, rules in (("With your medicines", self.dose_rules),
                                     ("Take care", (*self.fact_cautions, *self.cautions)))
                if rules]
        return "".join(said)


FIELD_WORDS = {"egfr": "your eGFR", "age": "your age"}
"""How a reason names the profile's own value that set its rule off (:func:`_reason`)."""

KIDNEY_UNKNOWN = "kidney_function_unknown"
"""The condition of the caution ``safety.toml`` gives when kidney function is not known at
:data:`OLDER_AGE` or over, which the profile's facts set (:func:`_fact_conditions`)."""


def _kidney_unknown(profile: Profile) -> bool:
    """No eGFR, at :data:`OLDER_AGE` or over or with no age: kidney function is not known."""
    return profile.egfr is None and (profile.age is None or profile.age >= OLDER_AGE)


def _reason(rule: Contraindication, profile: Profile) -> str:
    """The rule's reason, after the profile's value when that set it off.

    ``your eGFR 25 (below 30): kidney disease (...)``: the reason alone quoted the rule's
    every way in and never the person's own number (a reader audit). Kidney function not
    known says why it was asked for: ``your age 80, no eGFR given: ...``.
    """
    if rule.condition == KIDNEY_UNKNOWN and _kidney_unknown(profile):
        said = "no age or eGFR" if profile.age is None else f"your age {profile.age}, no eGFR"
        return f"{said} given: {rule.reason}"
    field = rule.field or ""
    value = getattr(profile, field) if field in FIELD_WORDS else None
    if value is None or rule.below is None or not value < rule.below:
        return rule.reason
    return f"{FIELD_WORDS[field]} {value:g} (below {rule.below:g}): {rule.reason}"


def _fact_conditions(profile: Profile) -> frozenset[str]:
    """The conditions the profile's facts stand for: kidney function not known, prescribed."""
    return frozenset({KIDNEY_UNKNOWN} if _kidney_unknown(profile) else ()) | frozenset(
        {PRESCRIBED} if profile.prescribed_magnesium else ())


SAFETY_FACTS = ("age", "egfr", "pregnant", "conditions", "medications")
"""The profile's keys the hard rules read: a profile giving none of them says nothing."""


def profile_given(profile: Profile) -> bool:
    """Whether a profile was given at all, not the default one of a run without ``--profile``.

    Any key written, ``max_elemental_mg`` at the ceiling included (:meth:`Profile.capped`
    keeps the keys the file wrote), or a ceiling lowered from one above the safety ceiling.
    """
    return bool(profile.model_fields_set) or profile.lowered_from_mg is not None


def missing_facts(profile: Profile, safety: Safety) -> tuple[str, ...]:
    """The facts the rules read that the profile does not give (:attr:`Screening.missing`).

    When the profile gives no fact a rule can read (no age, eGFR or pregnancy, no condition
    or medicine listed), first ``profile`` when none was given (no ``--profile``), else
    ``facts``. Then each of ``age``, ``egfr`` and ``pregnant`` that a rule of ``safety``
    reads and the profile leaves out (``None``): such a rule is not checked, which is not the
    same as passed. Then ``conditions`` and ``medications`` when the profile does not write
    them: a list written empty (``conditions = []``) is an answer, none, not a fact left out
    (an upgrading user's audit: a profile of ``complaint``, ``conditions = []`` and
    ``medications = []`` was told "no profile given").
    """
    fields = {rule.field for rule in (*safety.contraindications, *safety.cautions)}
    given = profile.model_dump(include=set(SAFETY_FACTS))
    empty = all(value in (None, ()) for value in given.values())
    lead = ("profile",) if not profile_given(profile) else ("facts",)
    return ((lead if empty else ())
            + tuple(f for f in SAFETY_FACTS[:3] if f in fields and given[f] is None)
            + tuple(f for f in SAFETY_FACTS[3:]
                    if not given[f] and f not in profile.model_fields_set))


def _applies(rule: Contraindication, profile: Profile, conditions: frozenset[str]) -> bool:
    if rule.condition is not None and rule.condition in conditions:
        return True
    if rule.field in ("egfr", "age"):
        value = getattr(profile, rule.field)
        return value is not None and rule.below is not None and value < rule.below
    return rule.field == "pregnant" and profile.pregnant is True


def _medicine_warnings(medicines: Matched, safety: Safety,
                       near: Mapping[str, tuple[str, ...]],
                       other: tuple[OtherMagnesium, float]) -> list[tuple[str, str]]:
    """Warnings of the profile's medicines, except referrals and holds, each with its kind.

    :class:`Screening` keeps those apart; a decision gives a hold as a warning beside a
    referral. An unknown name taken as known ones (``near``: :func:`_medicine_near_misses`)
    says so in its NOT CHECKED warning (kind ``unknown``). A magnesium product says whether
    its dose was counted (``other``: the other magnesium and the ceiling it leaves,
    :func:`~model.decision.other_magnesium.entry_rule`); one that is the supplement the diary
    records gets none: its own warning says it is not counted twice
    (:func:`~model.decision.other_magnesium.same_warning`), and "it is magnesium too, which
    counts with your supplement's" beside it contradicted that (an outside audit, /tmp/jJ F8).
    """
    found = []
    for given, medicine in medicines.items():
        if medicine is None:
            found.append(("unknown", unknown_warning(given, "medicine", near.get(given, ()))))
            continue
        found += [(group.kind, rule_words.medicine_warning(given, medicine, group.model_copy(
                      update={"rule": entry_rule(given, group.rule, *other)})
                      if group.kind == "magnesium" else group))
                  for group in safety.interactions
                  if medicine in group.medications and group.kind not in ("refer", "clinician")
                  and not (group.kind == "magnesium" and given in other[0].the_supplement)]
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
            how = (f"looks like {spoken(close)!r}"
                   if close is not None and names.conditions[close] == rule.condition
                   else f"names {spoken(str(rule.condition))!r}")
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
    medicine within a typo of a known one (:func:`_medicine_near_misses`); they stay NOT
    CHECKED, but the clinician page must not say "no rule applied" of them.
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


def _rules_applied(profile: Profile, safety: Safety, conditions: frozenset[str],
                   misses: Sequence[tuple[str, Contraindication, str]]
                   ) -> tuple[list[tuple[Contraindication, str]], list[Contraindication]]:
    """The contraindications that apply, each with its reason, and the cautions that apply.

    A caution of a field a contraindication already speaks for is left out (eGFR 20 is not
    also 30-59), and kidney function not known is left out beside a kidney rule that applies
    (a stage of CKD named among the conditions says more) and beside the under-18 rule
    (a teenager's kidneys are not the question).
    """
    found = [(c, _reason(c, profile)) for c in safety.contraindications
             if _applies(c, profile, conditions)] + [(rule, why) for _, rule, why in misses]
    fields = {c.field for c, _ in found} - {None}
    cautions = [c for c in safety.cautions
                if _applies(c, profile, conditions) and c.field not in fields]
    said = {c.field for c in (*(c for c, _ in found), *cautions)}
    return found, [c for c in cautions if not (said & {"egfr", "age"}
                                               and c.condition == KIDNEY_UNKNOWN)]


def _limit(rules: Sequence[Contraindication],
           safety: Safety) -> tuple[float, tuple[str, float] | None]:
    """The daily limit the rules that apply set, and the rule that set it below the default."""
    setter = min(((c.id, c.ceiling_mg) for c in rules if c.ceiling_mg is not None
                  and c.ceiling_mg < safety.ceiling.default_mg_per_day),
                 key=lambda rule: rule[1], default=None)
    return (safety.ceiling.default_mg_per_day if setter is None else setter[1]), setter


def screen(profile: Profile, safety: Safety, taking: Regimen = NO_MAGNESIUM) -> Screening:
    """Apply the hard rules of ``safety.toml`` to a profile.

    ``taking``: the supplement the diary records, which a magnesium product among the
    medications may name (:func:`~model.decision.other_magnesium.other_magnesium`).

    Conditions and medicines are matched through the synonym table of the safety data
    (:class:`model.evidence.names.NameIndex`); a name it does not know gives a "NOT CHECKED"
    warning, never silence; a fact a rule reads that the profile does not give is said too
    (:func:`missing_facts`: no age, no profile at all, no eGFR at 65 or over:
    :attr:`Screening.fact_warnings`). Rules looser than the package's safety floor are
    refused.

    Raises
    ------
    PriorsError
        When ``safety`` is less strict than the bundled ``safety.toml``.

    """
    raise_if(loosened_in_use(safety))
    names = NameIndex.of(safety)
    matched = {c: names.match(c, "condition") for c in profile.conditions}
    medicines: Matched = {m: names.match(m, "medicine") for m in profile.medications}
    near = _medicine_near_misses(medicines, names)
    medicines |= taken_as(near, safety) | crossed(matched, names, "medicine")
    conditions = frozenset(m for m in (*matched.values(), *implied(medicines, names),
                                       *crossed(medicines, names, "condition").values()) if m)
    unknown = [c for c, m in matched.items() if m is None]
    misses = _near_misses(unknown, safety, names)
    found, applied = _rules_applied(profile, safety, conditions | _fact_conditions(profile),
                                    misses)
    referrals = tuple([reason for c, reason in found if c.kind == "refer"]
                      + list(_medicine_rules(medicines, safety, "refer")))
    medicine_holds = (*_medicine_rules(medicines, safety, "clinician"), *prescribed_holds(found))
    holds = (*(reason for c, reason in found if c.kind == "clinician"
               and c.id not in PRESCRIBED_RULES), *medicine_holds)
    # a fact a rule that applies stands for is not missing ("teenager": no age, but under 18)
    missing = tuple(fact for fact in missing_facts(profile, safety)
                    if fact not in {c.field for c, _ in found})
    taken = _conditions_taken(misses)
    warnings = [unknown_warning(c, "condition", taken.get(c, ())) for c in unknown]
    facts = [_reason(c, profile) for c in applied if c.condition == KIDNEY_UNKNOWN]
    cautions = [_reason(c, profile) for c in applied if c.condition != KIDNEY_UNKNOWN]
    warnings += cautions
    other = other_magnesium(profile, magnesium_products(medicines, names.magnesium), taking)
    label_holds = bool(other.unread) and not holds
    holds = (*holds, *unread_holds(other))     # an amount not read: no magnesium added to it
    own = profile.ceiling_mg(safety)
    limit, setter = _limit([c for c, _ in found] + applied, safety)
    prescribed = bool(prescribed_holds(found))
    ceiling = prescribed_ceiling(max(0.0, min(own, limit - other.mg)), taking,
                                 prescribed and not other.mg)   # the diary's, no other
    told = _medicine_warnings(medicines, safety, near, (other, ceiling))
    warnings += [text for _, text in told]
    if profile.max_elemental_mg is not None and profile.max_elemental_mg > own:
        warnings.append(rule_words.ceiling_warning(profile.max_elemental_mg, own,
                                                safety.ceiling.source))
    least = DecisionSettings().min_dose_mg
    at_limit = bool(other.mg) and limit - other.mg < least and not prescribed
    if at_limit:
        referrals = (*referrals, at_limit_reason(other, limit, least))
    elif other.mg and not prescribed:       # a prescribed magnesium: no supplement beside it
        warnings.append(share_warning(other, limit, ceiling))
    if other.the_supplement:
        warnings.append(same_warning(other, taking))
    if skin := on_skin(medicines):      # known, not counted: said, not silent
        warnings.append(skin_note(skin))
    allowed = tuple(f for f in FORMS if f not in profile.excluded_forms)
    unchecked = (*unknown, *(given for given in profile.medications if medicines[given] is None))
    return Screening(referrals, tuple(warnings), ceiling, allowed, holds, unchecked,
                     bool(medicine_holds),
                     tuple(text for kind, text in told if kind in ("timing", "magnesium")),
                     tuple(cautions), other.mg, at_limit, setter, missing,
                     (*rule_words.missing_warnings(missing), *facts), tuple(facts),
                     tuple(dict.fromkeys(c.id for c in (*(c for c, _ in found), *applied))),
                     prescribed, label_holds)
