"""Every sentence of the hard rules: referrals, interaction and ceiling warnings, blocks.

:mod:`model.decision.rules` applies the rules and :mod:`model.decision.decide` refers (or
withholds advice after a failed fit); this module says what they found. A recommendation's
reasons are in :mod:`model.decision.explain`, a contraindication's words in ``refer_words``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from model.core.change_words import GI_TROUBLE, chance
from model.core.outcomes import scale_ends
from model.core.regimen import Regimen
from model.decision.compound_ceiling import CompoundDose
from model.decision.explain import RecentGi, above, record_line
from model.decision.gi_facts import STOMACH_TROUBLE
from model.decision.gi_words import GI_RISK
from model.decision.history import History
from model.decision.other_magnesium import after_other
from model.decision.period_words import period_nights
from model.decision.refer_words import REFERRAL_LABEL, SEE_FIRST, not_again, stop_now, with_urgent
from model.decision.refer_words import refer_reasons as refer_reasons  # decide's, as before
from model.decision.settings import DecisionSettings
from model.evidence.names import name_key
from model.evidence.schema import Interaction

LABEL_LABEL = "What mgsleep needs first"
"""The label of a hold the profile lifts (:func:`hold_reasons`' ``label``)."""

# The words of a safety answer (hold, stop; a contraindication's: refer_words), each defined
# once: the reasons say them of the regimen taken, the headline (:func:`safety_step`) of "your
# magnesium", the pots of a blinded trial of "the trial's pots" (a maintainer's review: four
# homes, each its own words).
BEFORE_ANY_CHANGE = "see your clinician before any change to magnesium"
"""A hold's (pregnancy, digoxin) answer: the routine is kept until the clinician advises."""
BEFORE_OTHER_CHANGE = "see your clinician before any other change"
"""A condition's hold beside the step a rule asks for now (a dose lowered)."""
BEFORE_AGAIN = "see your clinician before taking magnesium again"   # an excluded form stopped
ON_YOUR_OWN = "and change nothing on your own"   # a medicine's hold: stopping is a change too
SOON_ABOUT = "see your clinician soon about"   # a medicine's hold: the clinician makes the step


def keep_taking(what: str) -> str:
    """A hold's routine kept: ``Keep taking glycinate 200 mg as you do now``."""
    return f"Keep taking {what} as you do now"


def lower_now(ceiling: str) -> str:
    """A rule's limit, now (``ceiling``: "250 mg a day, your daily ceiling"): a limit, no dose.

    "Lower your magnesium now to 250 mg a day" read, to a pregnant reader, as a dose to take
    before any sign-off (a safety-case audit, /tmp/w47/A F3).
    """
    return f"From tonight, take no more than {ceiling}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def safety_step(codes: Sequence[str], ceiling: str, reasons: Sequence[str] = ()) -> str:
    """What a ``refer`` says to do now: the headline's first line, by its codes.

    The words of :func:`refer_reasons` and :func:`hold_reasons` (those of the same codes),
    said of "your magnesium": the regimen is in the reasons under it. ``ceiling``: the dose a
    rule lowers to ("250 mg a day, your daily ceiling"); ``reasons``: the recommendation's,
    whose urgent signs follow the step (:func:`~model.decision.refer_words.with_urgent`). A
    prescribed magnesium's answers are :mod:`model.report.advice`'s. Loose stools under a
    medicine's hold call the clinician.
    """
    return with_urgent(_step(codes, ceiling), reasons)


def _step(codes: Sequence[str], ceiling: str) -> str:
    medicine = "medicine_hold" in codes
    if "refer_stop" in codes:   # taken lately, or last night (:attr:`History.since_taken`)
        return f"{not_again() if 'off_lately' in codes else stop_now()}."
    if medicine and "acute_gi" in codes:    # digoxin, loose stools
        return (f"Call your clinician soon about the {GI_TROUBLE} on your magnesium, "
                f"{ON_YOUR_OWN} meanwhile.")
    if "current_excluded" in codes:          # stopped, whatever its dose
        return (f"{_capital(SOON_ABOUT)} stopping your magnesium (your profile excludes its "
                f"form), {ON_YOUR_OWN} meanwhile." if medicine else
                "Stop your current magnesium now (your profile excludes its form), and "
                f"{BEFORE_AGAIN}.")
    if "current_above_ceiling" in codes:     # pregnancy at 300 mg: the lower dose now
        return (f"{_capital(SOON_ABOUT)} lowering your magnesium to {ceiling}, {ON_YOUR_OWN} "
                f"meanwhile." if medicine else
                f"{lower_now(ceiling)}, and {BEFORE_OTHER_CHANGE}.")
    if "other_unread" in codes:             # a label to read, not a clinician to see
        return ("Write other_magnesium_mg = ... in your profile (your other magnesium "
                "product's elemental magnesium a day, from its label) and analyse again; "
                "keep your current routine meanwhile.")
    return f"{_capital(BEFORE_ANY_CHANGE)}." if "refer_hold" in codes else f"{SEE_FIRST}."


NO_PROFILE = ("no profile given: mgsleep checked none of your age, pregnancy or breastfeeding, "
              "kidney function (eGFR), conditions or medicines against its safety rules; write "
              "them in a profile file (the README's 'The profile') and give it with --profile "
              "FILE")
"""The warning of advice given without a profile (:func:`missing_warnings`)."""

ADULTS_ONLY = ("age not given: mgsleep's advice is for adults (18 or over), whose evidence and "
               "upper limits it uses, and it could not check that you are one; if you are under "
               "18, do not follow it, see a clinician; give your age in the profile (age = 40, "
               "in whole years)")
"""The warning of a profile without an age (:func:`missing_warnings`)."""


def no_facts_warning(missing: Sequence[str]) -> str:
    """The warning of a profile given that gives no fact a rule can read (``facts``).

    Not "no profile given" (an upgrading user's audit: said of a profile of ``complaint``,
    ``conditions = []`` and ``medications = []``): the lists it writes empty are said as
    none listed, an answer, and those it leaves out among the facts it does not give.
    """
    lists = {"conditions": "conditions", "medications": "medicines"}
    unsaid = ["your age", "pregnancy or breastfeeding", "kidney function (eGFR)",
              *(words for key, words in lists.items() if key in missing)]
    none = [words for key, words in lists.items() if key not in missing]
    listed = f" ({' and '.join(none)}: none listed)" if none else ""
    return (f"your profile gives none of {', '.join(unsaid[:-1])}, or {unsaid[-1]}{listed}: "
            "mgsleep checked none of them against its safety rules; write them in your "
            "profile (the README's 'The profile')")


def missing_warnings(missing: Sequence[str]) -> list[str]:
    """The warnings of the facts a profile does not give (:attr:`Screening.missing`).

    No profile at all, or one with no fact a rule reads (:func:`no_facts_warning`), and no
    age (mgsleep is for adults); a missing eGFR is said by the caution of kidney function
    not known, where it matters (``safety.toml``).
    """
    return [*([NO_PROFILE] if "profile" in missing else []),
            *([no_facts_warning(missing)] if "facts" in missing else []),
            *([ADULTS_ONLY] if "age" in missing else [])]


AFTER_REVIEW = "Only if magnesium is resumed (or started) after the clinician's review"
"""How a rule for taking a dose is said under a contraindication (:func:`after_review`)."""


def after_review(rule: str) -> str:
    """A rule for taking a dose (a medicine's spacing), said under a contraindication.

    Beside "Stop taking magnesium now" the spacing from alendronate contradicted it on the
    terminal and in the JSON, where the clinician page already said this (a life-stage audit).
    """
    return f"{AFTER_REVIEW}: {rule}"


def hold_reasons(holds: Sequence[str], current: Regimen, ceiling_mg: float,
                 breaks: Sequence[str], medicine: bool = True, label: bool = False) -> list[str]:
    """The reasons of a ``refer`` that keeps the current routine until a clinician advises.

    With a ``medicine`` hold, stopping is a change too (low magnesium raises digoxin's
    toxicity): the current routine is kept until the prescriber has advised, unless it
    breaks a hard rule (``breaks``: :func:`model.decision.rules.current_breaks`), which the
    clinician is then asked to end. A condition's hold (pregnancy) asks for the clinician's
    sign-off, and an excluded form is stopped now (whatever its dose), a dose above its
    ceiling lowered. A ``label`` hold (another product's magnesium not read,
    :attr:`~model.decision.screening.Screening.label_holds`) waits for the profile's
    ``other_magnesium_mg``, not for a clinician (stop 71's note: "see your clinician" was
    said for what a product's label says).
    """
    if "current_excluded" in breaks:   # stopped, whatever its dose
        keep = (f"Your profile excludes {current.form}: {SOON_ABOUT} stopping it, {ON_YOUR_OWN}"
                if medicine else
                f"Stop {current.words}: your profile excludes {current.form}; {BEFORE_AGAIN}")
    elif "current_above_ceiling" in breaks:
        keep = (f"Your {current.words} is above your ceiling of {ceiling_mg:g} mg/day: "
                f"{SOON_ABOUT} lowering it, {ON_YOUR_OWN}" if medicine else
                f"Lower {current.words} to at most {ceiling_mg:g} mg/day now, your ceiling, "
                f"and {BEFORE_OTHER_CHANGE}")
    elif label:
        keep = (f"{keep_taking(current.words)}, and change it only once your profile gives "
                "other_magnesium_mg" if current.active else
                "Do not start magnesium until your profile gives other_magnesium_mg")
    elif current.active:
        keep = f"{keep_taking(current.words)} and {BEFORE_ANY_CHANGE}"
    else:
        keep = "Do not start magnesium; see your clinician first"
    return [f"{keep}.", *(f"{LABEL_LABEL if label else REFERRAL_LABEL}: {h}." for h in holds),
            "No other form or dose is suggested until " + (
                "your profile gives it." if label else "a clinician has advised.")]


def plan_refusals(referrals: Sequence[str], holds: Sequence[str], ceiling_mg: float,
                  medicine: bool, label: bool = False) -> list[str]:
    """Why ``plan`` plans no trial: each rule, with what to do about magnesium taken now.

    A plan knows nothing of what is taken now, so it says both: a contraindication stops
    magnesium taken now (a hold beside one too: the contraindication comes first); a hold
    keeps it as :func:`hold_reasons` does, within the ceiling. ``plan`` said "see a clinician
    before taking magnesium" of both, which never stopped magnesium already taken, and
    contradicted ``analyze``'s "keep taking ... as you do now" for pregnancy (a life-stage
    audit). A ``label`` hold waits for the profile, as in :func:`hold_reasons`.
    """
    if label and not referrals:
        return [f"if you take magnesium now, keep taking it as you do now; plan a trial once "
                f"your profile gives other_magnesium_mg: {rule}" for rule in holds]
    if referrals:
        return [f"if you take magnesium now, stop it and see a clinician (do not start it "
                f"before one has advised): {rule}" for rule in (*referrals, *holds)]
    keep = (f"if you take magnesium now, keep taking it as you do now and {BEFORE_ANY_CHANGE}, "
            f"stopping included (above your ceiling of {ceiling_mg:g} mg/day, see them soon "
            f"about lowering it)" if medicine else
            f"if you take magnesium now, keep taking it as you do now, at most your ceiling of "
            f"{ceiling_mg:g} mg/day (lower it to that now if you take more), and "
            f"{BEFORE_OTHER_CHANGE}")
    return [f"{keep}; if you do not take it, do not start it before your clinician has "
            f"advised: {rule}" for rule in holds]


def diagnostics_failed_reasons(current: Regimen, ceiling_mg: float, breaks: Sequence[str],
                               loose_bristol: int) -> list[str]:
    """The reasons of ``collect_more_data`` after a fit that failed its checks.

    The current routine is kept only when the hard rules allow it (``breaks``:
    :func:`model.decision.rules.current_breaks`, and ``acute_gi``): a form the profile
    excludes is stopped, a dose above the ceiling lowered to it, a regimen stopped if the
    loose stools it gave go on; no fit is needed for any. ``loose_bristol``: the stool form
    from which a night counts as a GI night (:func:`record_line`).
    """
    if "current_excluded" in breaks:
        keep = f"Stop {current.words}: your profile excludes {current.form}."
    elif "current_above_ceiling" in breaks:
        keep = (f"Lower {current.words} to at most {ceiling_mg:g} mg/day, your ceiling, "
                "whatever the model says" + (f", and stop it if {GI_TROUBLE} go on."
                                             if "acute_gi" in breaks else "."))
    elif "acute_gi" in breaks:
        keep = (f"If {GI_TROUBLE} go on, stop {current.words}, whatever the model says; "
                "otherwise keep your current routine.")
    else:
        keep = "Keep your current routine."
    return ["The model fit did not pass its convergence checks, so no dosing advice is given.",
            f"{keep} Record more nights and run the analysis again.",
            record_line(loose_bristol)]


def breach_reason(current: Regimen, ceiling_mg: float, breaks: Sequence[str],
                  other_mg: float = 0.0, compound: CompoundDose | None = None) -> str:
    """Why the current regimen is not kept, when it breaks a hard rule (``breaks``).

    The first reason of a decision made with a posterior while the current regimen breaks a
    hard rule (:func:`model.decision.rules.current_breaks`); empty when it breaks none. Above
    the ceiling, the dose must come down (to the ceiling or below) or stop; with magnesium
    from other products (``other_mg`` a day, :mod:`model.decision.other_magnesium`), the
    step is of the supplement the diary records, and a stop does not stop the others ("Stop
    taking magnesium" left a person on glycinate and a citrate product asking which).
    ``compound``: the current dose as a compound's weight, above the ceiling as read on the
    safe side (:func:`current_above_ceiling_warning`).
    """
    if "current_excluded" in breaks:
        return f"Your profile excludes {current.form}, your current form, so it is not kept."
    if "current_above_ceiling" not in breaks:
        return ""
    said = current_above_ceiling_warning(current, ceiling_mg, compound)
    down = (f"{_capital(said)}{after_other(other_mg)}, so it is not kept: the dose "
            f"must come down to at most {ceiling_mg:g} mg a day, or stop.")
    if not other_mg:
        return down
    return (f"{down} This is about the supplement your diary records ({current.words}): "
            f"stopping means stopping it, not your other magnesium ({other_mg:g} mg a day), "
            "which this advice does not change; ask a pharmacist or clinician before changing "
            "that.")


def medicine_warning(given: str, medicine: str, group: Interaction) -> str:
    """A medicine of the profile (``given``, standing for ``medicine``) with a group's rule.

    Named as given, then what it stands for and the group (or "can lower magnesium" for a
    depletion rule), each once, whatever the case or spacing: ``Synthroid 50 mcg
    (levothyroxine): ...``, ``LevoThyroxine: ...``.
    """
    said = [given, medicine, "can lower magnesium" if group.kind == "depletion"
            else group.group]
    words = f"_{name_key(given)}_"
    shown = [given, *(x for x in dict.fromkeys(said[1:]) if f"_{name_key(x)}_" not in words)]
    named = shown[0] + (f" ({', '.join(shown[1:])})" if len(shown) > 1 else "")
    return f"{named}: {group.rule}"


def ceiling_warning(max_mg: float, ceiling_mg: float, source: str) -> str:
    """The profile's own ceiling is above the safety ceiling."""
    return (f"max_elemental_mg {max_mg:g} is above the safety ceiling; {ceiling_mg:g} mg/day "
            f"is used ({source})")


def _above_ceiling(what: str, ceiling_mg: float) -> str:
    return f"{what} is above your ceiling of {ceiling_mg:g} mg/day"


def above_ceiling_block(mg: float, ceiling_mg: float) -> str:
    """A candidate's dose is above the ceiling."""
    return _above_ceiling(f"{mg:g} mg/day", ceiling_mg)


def excluded_block(form: str) -> str:
    """A candidate's form is excluded."""
    return f"{form} is excluded in your profile"


def waiting_block(past: History, s: DecisionSettings, returns: Sequence[Regimen] = (),
                  safety: bool = False, troubled: Sequence[Regimen] = ()) -> str:
    """The evaluation period of the current regimen is not over: what waits, and what not.

    ``returns``: regimens judged over a full period that a return to need not wait for;
    ``safety``: a step safety asks for need not either (:func:`model.decision.rules.blocks`);
    ``troubled``: judged ones whose return waits, as they gave GI nights lately
    (:attr:`History.gi_troubled`), said as the diary recorded them
    (:attr:`History.gi_trouble_words`). "Start glycinate, 200 mg" stood beside "changes wait
    2 more nights" (/tmp/w46/E F5); after a stomach bug "changes wait 11 more nights" held
    glycinate back unsaid (an audit, /tmp/w49/g G2); two upset-stomach nights were said as
    "it gave you loose stools" (/tmp/w50/b F-4); "you had loose stools on it" says what the
    diary recorded, not that the form caused them: the drinks the model credits them to may
    have (a traveller's audit, second round, /tmp/w55/t2 N2).
    """
    more = s.min_nights - past.nights_on_current
    back = " or ".join(r.words for r in returns)
    but = [*(["a step safety asks for"] * safety), *([f"a return to {back}, judged over a "
           "full period already"] * bool(returns))]
    gave = {r: past.gi_trouble_words.get(r, STOMACH_TROUBLE) for r in troubled}
    return (f"only {period_nights(past, s)}; changes wait {more} more night{'s' * (more != 1)}"
            + (f", but not {' or '.join(but)}" if but else "")
            + "".join(f"; a return to {' or '.join(r.words for r in gave if gave[r] == what)} "
                      f"waits too: you had {what} on it" for what in dict.fromkeys(gave.values())))


def gi_block(p_violation: float, epsilon: float) -> str:
    """A candidate breaks the GI chance constraint."""
    return f"{GI_RISK} {above(p_violation, epsilon)} is above {epsilon:.2f}"


NO_GI_RECORDS = ("no stool form or upset-stomach record on any magnesium night: each step's "
                 "chance of GI nights comes from the evidence alone, and may block a step; "
                 "write down stool form (Bristol 1-7) or an upset stomach each morning")
"""The warning of a diary without GI records on magnesium (:func:`rules.current_warnings`)."""


HOW_TO_RECORD = {"sol": ("the time to fall asleep", "write down each morning the minutes it took"),
                 "awakenings": ("awakenings", "write down each morning how many times you woke"),
                 **{rating: (name, f"{when} ({scale_ends(rating)})") for rating, name, when in (
                     ("quality", "sleep quality", "rate it each morning"),
                     ("freshness", "morning freshness", "rate it each morning"),
                     ("anxiety", "evening anxiety", "write it down each evening"))}}
"""Per weighted outcome: its name and how to record it (:func:`unrecorded_warning`)."""


def unrecorded_warning(outcome: str, most: bool) -> str:
    """The warning of an outcome that counts for the person and that no night records.

    ``most``: it is the heaviest (else one of those weighing at least half the heaviest).
    Its expected change is the evidence's alone, and the decision does not count on the
    coming nights to show it (:class:`model.decision.utility.Scales`).
    """
    name, how = HOW_TO_RECORD[outcome]
    counts = "which counts most for you" if most else "one of what counts most for you"
    return (f"{name}, {counts}, is in no night of the diary: its expected change comes from "
            f"the evidence alone and the coming nights cannot show it; {how}")


def usual_gi_note(past: History, s: DecisionSettings) -> str:
    """GI nights on magnesium within the person's usual without it: not counted as acute."""
    usual = past.background_gi_rate * s.gi_window
    return (f"{past.recent_gi_nights} GI nights in the last {s.gi_window} on "
            f"{past.taking.words}, within your usual without magnesium (about {usual:.1f} in "
            f"{s.gi_window}): not counted against magnesium; if they rise, the advice will "
            "say so")


def not_gentler_block(p_violation: float, now: float) -> str:
    """During loose stools, a step that keeps magnesium but is not gentler than continuing."""
    return (f"during {GI_TROUBLE} only a gentler step is open: its {GI_RISK} "
            f"{chance(p_violation)} is not below continuing's {chance(now)}")


def return_block(current: Regimen, p_violation: float, epsilon: float) -> str:
    """An experiment returns to the current regimen, which breaks the GI constraint.

    Or it gives loose stools now (the acute GI rule).
    """
    why = (f"{GI_RISK} {above(p_violation, epsilon)} is above {epsilon:.2f}"
           if p_violation > epsilon else f"{GI_TROUBLE} came on it lately")
    return f"it returns to {current.words}, and for {current.words} {why}"


def _acute_gi_start(nights: object, window: object, regimen: Regimen) -> str:
    return f"{nights} GI nights in the last {window} on {regimen.words}: if they go on, "


def is_acute_gi_warning(warning: str, regimen: Regimen) -> bool:
    """Whether ``warning`` is :func:`acute_gi_warning` of ``regimen`` (any counts)."""
    pattern = re.escape(_acute_gi_start("NIGHTS0", "WINDOW0", regimen))
    pattern = pattern.replace("NIGHTS0", r"\d+").replace("WINDOW0", r"\d+")
    return re.match(pattern, warning) is not None


HOLD_GI_STEP = "call your clinician soon rather than changing magnesium yourself"
"""What to do if loose stools go on under a medicine's hold (:func:`acute_gi_warning`)."""


def acute_gi_warning(past: History, s: DecisionSettings, hold: bool = False) -> str:
    """Recent GI nights on the current regimen (:func:`is_acute_gi_warning` tells it).

    Its counts are :class:`~model.decision.explain.RecentGi`'s, which the recommendation
    carries. Under a ``hold`` (a medicine with which magnesium is not changed without the
    prescriber) stopping is a change too, so the person calls the clinician instead.
    """
    gi = RecentGi.of(past, s)
    recent = _acute_gi_start(gi.nights, gi.window, gi.regimen)
    if hold:
        return (f"{recent}{HOLD_GI_STEP} (loose stools also lower magnesium and potassium, "
                "which matters with the medicine named above)")
    return recent + "stop, or take the gentler step the advice names when it names one"


def current_above_ceiling_warning(current: Regimen, ceiling_mg: float,
                                  compound: CompoundDose | None = None) -> str:
    """The current regimen is above the ceiling.

    As read by the analysis, or only as a compound's weight read on the safe side
    (``compound``, :class:`~model.decision.compound_ceiling.CompoundDose`): then the weight
    written, the most magnesium it can hold and the salt that holds it.
    """
    if compound is None or current.elemental_mg > ceiling_mg:
        return _above_ceiling(f"your current {current.words}", ceiling_mg)
    return (f"{compound.words()}, above your ceiling of {ceiling_mg:g} mg/day (write the "
            "elemental magnesium its label gives in elemental_mg to be sure)")


def current_excluded_warning(current: Regimen) -> str:
    """The current form is excluded."""
    return f"your current form {excluded_block(current.form)}"


def beyond_studied_warning(regimen: Regimen, studied_mg: float) -> str:
    """The warning of a dose above every dose the form's studies gave."""
    return (f"{regimen.elemental_mg:g} mg/day of {regimen.form} is above the largest dose its "
            f"studies gave ({studied_mg:g} mg elemental a day): the effect at this dose is the "
            "model's extrapolation, not measured")

