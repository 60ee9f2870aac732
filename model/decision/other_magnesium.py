"""Magnesium a person takes besides the supplement: its share of the daily ceiling.

The ceiling (350 mg a day, IOM 1997) is for magnesium from supplements and medicines
together, so a multivitamin's 100 mg or a ZMA's 450 mg leaves less for the supplement
mgsleep advises (a supplement stacker's audit: 200-350 mg was advised on top of 550 mg the
profile named). The other magnesium a day is:

- the profile's ``other_magnesium_mg`` when it gives one (the person's own count);
- else the doses written beside the magnesium products among the medications
  (``"magnesium aspartate 450 mg"``, ``"... 150 mg twice a day"``), each read as elemental
  magnesium: a label's figure may be the salt's weight, which is more than the magnesium in
  it, so the count errs on the safe side. A figure of a gram or more beside a form's salt
  (``"magnesium citrate 1.2 g"``) is that salt's weight, read with the form's highest
  elemental fraction (:func:`read_entry`: 1200 mg was counted as 1200 mg of magnesium). One
  taken now and then (``"as needed"``, not also daily) is not counted every day: its rule says
  no supplement on its days (:func:`now_and_then_rule`; "keep the two within the limit" beside
  a laxative dose of about 1000 mg of magnesium: an outside audit, /tmp/w52/d F1).
- An entry whose daily magnesium cannot be read (no dose in mg or g, several, a count of
  units such as ``"per sachet"``), or an unknown product named like magnesium (``"Mag
  365"``: :func:`magnesium_products`), is not taken as 0 mg: it holds magnesium, none added
  to it, until the profile gives ``other_magnesium_mg`` (:func:`unread_holds`).

The supplement's ceiling is then the limit less the other magnesium (and never above the
profile's own ``max_elemental_mg``); with less left than the least dose mgsleep advises,
magnesium is referred (:func:`at_limit_reason`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from model.core.forms import Compound, canonical_form, load_compounds, product_named
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.compound_doses import SALT_WEIGHT_MG, safe_side_compound
from model.data.period_nights import names_antacid
from model.data.profile import Profile
from model.decision.settings import OLDER_AGE, DecisionSettings
from model.evidence.name_hints import names_magnesium
from model.evidence.names import SKIN_WORDS

DOSE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(mg|milligrams?|g|grams?)\b", re.IGNORECASE)
"""A dose written in an entry: ``450 mg``, ``450mg``, ``1.5 g``, ``1,5 g``, ``1,000 mg``."""

NOW_AND_THEN = re.compile(
    r"\b(?:prn|as\s+needed|when\s+needed|if\s+needed|as\s+required|occasional(?:ly)?|"
    r"sometimes|weekly|monthly|(?:a|per|each|every)\s+(?:week|month)|times\s+a\s+week)\b",
    re.IGNORECASE)
"""Words of an entry taken now and then, not every day: its dose is not counted per day."""

EVERY_DAY = re.compile(r"\b(?:daily|nightly|everyday|(?:every|each)\s+(?:day|night|evening|"
                       r"morning))\b", re.IGNORECASE)
"""Words of an entry taken every day: beside :data:`NOW_AND_THEN` it is still a daily one
("milk of magnesia 30 mL every night as needed" was read as now and then, and a 70-year-old
with an eGFR of 55 was told to start a supplement: an outside audit, /tmp/w52/d2 G1)."""

NOT_A_DAY = re.compile(r"\b(?:once|twice|thrice|\w+\s+times)\s+(?:a|per|each|every)\s+"
                       r"(?:week|month)\b", re.IGNORECASE)
"""How often a week or a month (``twice a week``): no times a day (:data:`TIMES_A_DAY`)."""

ASK_EGFR = 60.0
"""Below this eGFR (``safety.toml``'s moderate kidney caution), or from
:data:`~model.decision.settings.OLDER_AGE`, a clinician is asked before a daily supplement
beside a magnesium taken now and then (:func:`now_and_then_rule`): magnesium laxatives in
older age or with reduced kidney function are where too much magnesium builds up."""

ASK_FIRST = "ask a clinician before taking a daily magnesium supplement beside it"
"""How :func:`now_and_then_rule` asks a clinician first."""

UNSURE = re.compile(
    r"\b(?:caps?|capsules?|tabs?|tablets?|pills?|softgels?|scoops?|sachets?|drops?|gummies)\b"
    r"|\bx\s*\d|\d\s*x\b|\band\b|\d+\.\d{3}\b", re.IGNORECASE)
"""What makes a written dose unsure as a day's magnesium: a count of units (``2 caps``), a
multiplier in figures (``x2``), two times of day (``morning and night``), a thousands dot
(``1.000 mg``). Such an entry is not counted (a review: ``Magnesium 250 mg, 2 caps`` was
counted as 250 mg a day, ``1.000 mg`` as 1 mg); its rule asks the person to count it."""

TIMES_A_DAY = ((re.compile(r"\b(?:four\s+times|qid|q\.i\.d)\b", re.IGNORECASE), 4),
               (re.compile(r"\b(?:three\s+times|thrice|tid|t\.i\.d)\b", re.IGNORECASE), 3),
               (re.compile(r"\b(?:twice|two\s+times|bid|b\.i\.d)\b", re.IGNORECASE), 2))
"""Words of an entry taken several times a day, and how many: the dose is counted that often."""

ELEMENTAL = re.compile(r"\belemental\b|\bof\s+magnesium\b", re.IGNORECASE)
"""Words saying the figure is the magnesium itself: it is never read as a salt's weight."""

TAKEN_AS = "(not in the safety data; taken as"
"""How :func:`~model.decision.name_rules.taken_as` labels an unknown name taken as known ones."""

UNREAD_FIX = ("write other_magnesium_mg = ... in your profile (the elemental magnesium a day "
              "its label gives; 0 if it gives none or is the supplement your diary records)")
"""How a person gives the magnesium a day mgsleep cannot read from an entry."""


@dataclass(frozen=True)
class Reading:
    """How one entry's magnesium a day was read (:func:`read_entry`).

    Parameters
    ----------
    mg : float or None
        The elemental magnesium a day counted; None when not counted.
    written : float or None
        The dose a day as written (the salt's weight when ``salt``).
    salt : tuple of (str, Compound), or None
        The form and its salt whose weight the dose is, read at the salt's elemental fraction.
    unread : bool
        Taken every day, as far as the entry says, but its magnesium cannot be read.
    now_and_then : bool
        Taken now and then (:data:`NOW_AND_THEN`): ``mg`` is None.
    on_its_days : float or None
        Of one taken now and then, the magnesium of a day it is taken, read as ``mg`` is of a
        daily entry; None when it cannot be read.

    """

    mg: float | None
    written: float | None = None
    salt: tuple[str, Compound] | None = None
    unread: bool = False
    now_and_then: bool = False
    on_its_days: float | None = None

    def words(self) -> str:
        """``1.2 g of magnesium citrate a day: up to 194 mg (as ...)``; or ``100 mg``."""
        written = self.written or 0.0
        weight = f"{written / 1000:g} g" if written >= SALT_WEIGHT_MG else f"{written:g} mg"
        if self.salt is None:
            return weight
        form, salt = self.salt
        return (f"{weight} of magnesium {form} a day: up to {self.mg:g} mg of magnesium (as "
                f"{salt.name.lower()}, {100 * salt.elemental_fraction:.2f} %, the {form} "
                "richest in magnesium)")


@cache
def _compounds() -> tuple[Compound, ...]:
    """The bundled ``elemental_fractions.csv``, read once."""
    return tuple(load_compounds())


def named_form(entry: str) -> str | None:
    """The form whose salt ``entry`` names (``citrate``, ``bisglycinate``), if one."""
    return next((form for word in re.findall(r"[a-z]+", entry.lower())
                 if (form := canonical_form(word)) not in (None, "none", "placebo")), None)


@dataclass(frozen=True)
class OtherMagnesium:
    """The elemental magnesium a day from the profile's other products, and how it was found.

    Parameters
    ----------
    mg : float
        Magnesium a day besides the supplement (0 when none is known).
    counted : tuple of (str, float)
        The medications entries whose written dose was counted, each with its mg a day;
        empty when ``from_profile``.
    from_profile : bool
        ``mg`` is the profile's ``other_magnesium_mg``.
    the_supplement : tuple of str
        Entries that name the supplement the diary records (its form and daily dose): not
        counted twice (:func:`other_magnesium`).
    salts : tuple of (str, str)
        The counted entries whose dose is a salt's weight, each with its reading in words
        (:meth:`Reading.words`).
    unread : tuple of str
        The entries taken every day whose magnesium cannot be read: they hold magnesium
        (:func:`unread_holds`); empty when ``from_profile``.
    now_and_then : tuple of (str, float or None)
        The entries taken now and then, each with the magnesium of a day it is taken
        (:attr:`Reading.on_its_days`), whether or not ``from_profile``.
    ask_first : str
        Why a clinician is asked before a daily supplement beside them (``"at age 70"``,
        :data:`ASK_EGFR`); "" when not.

    """

    mg: float
    counted: tuple[tuple[str, float], ...] = ()
    from_profile: bool = False
    the_supplement: tuple[str, ...] = ()
    salts: tuple[tuple[str, str], ...] = ()
    unread: tuple[str, ...] = ()
    now_and_then: tuple[tuple[str, float | None], ...] = ()
    ask_first: str = ""

    def words(self) -> str:
        """``550 mg a day (from magnesium aspartate 450 mg and ...)``: the figure and whence."""
        whence = ("your profile's other_magnesium_mg" if self.from_profile else
                  "from " + " and ".join(given for given, _ in self.counted))
        return f"{self.mg:g} mg a day ({whence})"


def read_entry(entry: str) -> Reading:
    """How much elemental magnesium a day an entry's written dose stands for.

    The one dose in mg or g written in ``entry``, times how often a day it says it is taken
    (:data:`TIMES_A_DAY`, in words). Not counted when taken now and then (:data:`NOW_AND_THEN`;
    daily too, :data:`EVERY_DAY`, it is): its magnesium on a day it is taken is read alike
    (:attr:`Reading.on_its_days`, how often a week not read as times a day); unread
    (``unread``) when it has no dose, several, another figure, is unsure (:data:`UNSURE`), or
    names a product whose figure may be all of it (``"ZMA 450 mg"``:
    :data:`~model.core.forms.PRODUCTS`, zinc and B6 besides the magnesium aspartate).
    A ``,`` before three digits separates thousands (``1,000 mg``), else it is a decimal comma
    (``1,5 g``). A dose of :data:`~model.data.compound_doses.SALT_WEIGHT_MG` or more beside a
    form's salt, not said to be elemental (:data:`ELEMENTAL`), is the salt's weight: counted at
    the form's highest elemental fraction
    (:func:`~model.data.compound_doses.safe_side_compound`), rounded up.
    """
    if NOW_AND_THEN.search(entry):
        day = read_entry(NOT_A_DAY.sub(" ", NOW_AND_THEN.sub(" ", entry)))
        return day if EVERY_DAY.search(entry) else Reading(
            None, day.written, day.salt, now_and_then=True, on_its_days=day.mg)
    doses = DOSE.findall(entry)
    if (len(doses) != 1 or len(re.findall(r"\d+(?:[.,]\d+)*", entry)) != 1
            or UNSURE.search(entry) or product_named(entry)):
        return Reading(None, unread=True)
    number, unit = doses[0]
    value = float(number.replace(",", "" if re.fullmatch(r"\d+,\d{3}", number) else "."))
    dose = value * (1000 if unit.lower().startswith("g") else 1)
    daily = dose * next((n for pattern, n in TIMES_A_DAY if pattern.search(entry)), 1)
    form = named_form(entry)
    if form is None or dose < SALT_WEIGHT_MG or ELEMENTAL.search(entry):
        return Reading(daily, daily)
    salt = safe_side_compound(form, _compounds())
    return Reading(math.ceil(daily * salt.elemental_fraction), daily, (form, salt))


def magnesium_products(medicines: Mapping[str, str | None],
                       magnesium: frozenset[str]) -> list[str]:
    """The medications entries that are magnesium products, or unknown ones named like it.

    ``medicines``: each entry and the known medicine it was matched to (None: unknown);
    ``magnesium``: the known magnesium products. An unknown name with a word of magnesium in
    it, or a magnesium product's name (:func:`~model.evidence.name_hints.names_magnesium`:
    ``Mag 365``, ``ZMA``) may be one: its magnesium is asked for, never taken as 0 mg
    (:func:`unread_holds`), unless it was taken as known ones (its entries
    :func:`~model.decision.name_rules.taken_as` labels stand for).
    """
    return [given for given, medicine in medicines.items()
            if medicine in magnesium or (medicine is None and names_magnesium(given)
                                         and not any(other.startswith(f"{given} {TAKEN_AS}")
                                                     for other in medicines))]


def other_magnesium(profile: Profile, products: Sequence[str],
                    taking: Regimen = NO_MAGNESIUM) -> OtherMagnesium:
    """The magnesium a day besides the supplement, from the profile or its written doses.

    ``products``: the profile's medications entries that are magnesium products
    (:func:`magnesium_products`). ``taking``: the supplement the diary records; an entry
    naming its form at its daily dose as written is that supplement, listed among the
    medications too, and is not counted (a review: "Magnesium glycinate 300 mg" in the
    profile of a person on glycinate 300 mg was counted, and the answer was "Stop taking
    magnesium now"). Its dose may be the label's weight of the salt too
    (:func:`_is_taking`). An entry whose magnesium a day cannot be read is ``unread``.
    """
    read = {given: read_entry(given) for given in products}
    sometimes = tuple((given, entry.on_its_days) for given, entry in read.items()
                      if entry.now_and_then)
    ask = _ask_first(profile) if sometimes else ""
    if profile.other_magnesium_mg is not None:
        return OtherMagnesium(profile.other_magnesium_mg, from_profile=True,
                              now_and_then=sometimes, ask_first=ask)
    same = tuple(given for given, entry in read.items() if _is_taking(given, entry, taking))
    counted = tuple((given, entry.mg) for given, entry in read.items()
                    if entry.mg is not None and given not in same)
    return OtherMagnesium(sum(mg for _, mg in counted), counted, the_supplement=same,
                          salts=tuple((given, read[given].words()) for given, _ in counted
                                      if read[given].salt is not None),
                          unread=tuple(given for given, entry in read.items() if entry.unread),
                          now_and_then=sometimes, ask_first=ask)


def _ask_first(profile: Profile) -> str:
    """``"at age 70 and with an eGFR of 55"``: why a clinician is asked (:data:`ASK_EGFR`)."""
    said = [f"at age {profile.age}"] if profile.age is not None and profile.age >= OLDER_AGE else []
    if profile.egfr is not None and profile.egfr < ASK_EGFR:
        said.append(f"with an eGFR of {profile.egfr:g}")
    return " and ".join(said)


SAME_MG = 1.0
"""How far a salt's weight read on the safe side (whole mg) may be from the diary's elemental
dose and still be that dose (:func:`_is_taking`)."""


def _is_taking(given: str, entry: Reading, taking: Regimen) -> bool:
    """Whether an entry is the supplement the diary records: its form, at its daily dose.

    The dose as written, or the label's weight of the salt: read on the safe side
    (:attr:`Reading.mg`, within :data:`SAME_MG`) or converted as the diary converts a
    ``compound_mg`` (the form's default compound, whole mg). "magnesium glycinate 2000 mg"
    beside the diary's ``compound_mg`` 2000 of glycinate (282 mg) was counted again, and
    the answer was "Stop taking magnesium now" (a supplement-label reader's audit).
    """
    if not taking.active or entry.written is None or named_form(given) != taking.form:
        return False
    default = next(c for c in _compounds() if c.default_for_form == taking.form)
    return (entry.written == taking.elemental_mg
            or round(entry.written * default.elemental_fraction) == taking.elemental_mg
            or (entry.salt is not None and entry.mg is not None
                and abs(entry.mg - taking.elemental_mg) <= SAME_MG))


def on_skin(medicines: Mapping[str, str | None]) -> tuple[str, ...]:
    """The medications entries that are magnesium put on the skin or in a bath.

    Known names with a word of :data:`~model.evidence.names.SKIN_WORDS` (``Epsom salt
    baths``, ``magnesium oil spray``): accepted and not counted, and once never said (a
    supplement-label reader's audit), so the person could not tell they were read.
    """
    return tuple(given for given, medicine in medicines.items() if medicine is not None
                 and SKIN_WORDS & set(re.findall(r"[a-z]+", medicine.lower())))


def skin_note(entries: Sequence[str]) -> str:
    """What is said of the entries :func:`on_skin` finds: on the skin, not counted."""
    return (f"{', '.join(entries)}: on the skin, not counted towards the ceiling (the limit "
            "is for magnesium taken by mouth)")


def unread_holds(other: OtherMagnesium) -> tuple[str, ...]:
    """A hold for each entry whose magnesium a day cannot be read: none is added to it.

    Such an entry was counted as 0 mg, and a dose advised on top of it with the whole
    ceiling (an outside pharmacist's audit: "Start glycinate, 200 mg" beside a citrate
    sachet of up to 194 mg a day). A hold keeps magnesium taken now within the ceiling and
    starts or raises none (:func:`model.decision.rule_words.hold_reasons`) until the profile
    gives ``other_magnesium_mg``.
    """
    return tuple(f"your other magnesium ({given.partition(f' {TAKEN_AS}')[0]}) gives an amount "
                 f"mgsleep cannot read: {UNREAD_FIX}; until then no magnesium is added to it"
                 for given in other.unread)


def same_warning(other: OtherMagnesium, taking: Regimen) -> str:
    """The entries naming the supplement the diary records, not counted twice."""
    named = " and ".join(repr(given) for given in other.the_supplement)
    return (f"{named} among your medications is the supplement your diary records "
            f"({taking.words}), so it is not counted as other magnesium; list only your other "
            "products there")


def entry_rule(given: str, rule: str, other: OtherMagnesium, ceiling_mg: float) -> str:
    """The rule said of a magnesium product among the medications, as its dose was counted.

    Its group's ``rule`` (ask a pharmacist how much magnesium it gives) when its dose was
    not counted, with how to give it when it is unread (:data:`UNREAD_FIX`); else that it
    was (a salt's weight as :meth:`Reading.words` says), and the supplement's ceiling left.
    One taken now and then has its own (:func:`now_and_then_rule`).
    """
    if given in (sometimes := dict(other.now_and_then)):
        return now_and_then_rule(sometimes[given], other.ask_first, ceiling_mg,
                                 names_antacid(given))
    mg = dict(other.counted).get(given)
    if not other.from_profile and mg is None:
        return f"{rule}; or {UNREAD_FIX}" if given in other.unread else rule
    salt = dict(other.salts).get(given)
    counted = (f"counted in your profile's other_magnesium_mg ({other.mg:g} mg a day)"
               if other.from_profile else
               f"{salt} is counted (if its label gives less magnesium, set other_magnesium_mg)"
               if salt else
               f"its {mg:g} mg a day is counted, as written (if you take more of it, or the "
               "label gives less magnesium, set other_magnesium_mg)")
    return (f"it is magnesium too: {counted}, which leaves your supplement at most "
            f"{ceiling_mg:g} mg a day")


def now_and_then_rule(on_its_days: float | None, ask_first: str, ceiling_mg: float,
                      antacid: bool = False) -> str:
    """The rule of a magnesium product taken now and then: no supplement on top on its days.

    Its magnesium is not counted every day, so its days are said: no supplement on them (one
    laxative dose of milk of magnesia, 30 mL, is about 1000 mg of magnesium, above the daily
    limit alone), or, when its dose as written (``on_its_days``) leaves the supplement some
    of its ceiling (``ceiling_mg``), at most that. An ``antacid`` is no laxative: its label's
    magnesium is counted on its days, no laxative night asked (/tmp/w52/d2 G6). ``ask_first``
    (:data:`ASK_EGFR`): a clinician is asked first (:data:`ASK_FIRST`).
    """
    room = None if on_its_days is None else max(0.0, ceiling_mg - on_its_days)
    day = (f"on a day you take it, count its magnesium (a tablet's figure from its label) and "
           f"take no more of the supplement than it leaves of {ceiling_mg:g} mg a day"
           if room is None and antacid else
           "on a day you take it, take no magnesium supplement: one dose of it is above "
           "the daily limit on its own when it is a laxative dose (milk of magnesia 30 mL: "
           "about 1000 mg of magnesium)" if room is None else
           f"its dose as written gives {on_its_days:g} mg of magnesium, below the daily limit on "
           f"its own: on a day you take it, take at most {room:g} mg of the supplement"
           if room >= (least := DecisionSettings().min_dose_mg) else
           f"its dose as written gives {on_its_days:g} mg of magnesium, which leaves less than the "
           f"least dose mgsleep advises ({least:g} mg): on a day you take it, take no magnesium "
           "supplement")
    first = (f"; {ask_first}, {ASK_FIRST} (magnesium laxatives and antacids with a supplement "
             "are where too much magnesium builds up)" if ask_first else "")
    night = "" if antacid else ("; write exclude = laxative in your diary on a night you take it "
                                "(its sleep is left out, and its stool record)")
    return (f"it is magnesium too, taken now and then, so it is not counted every day: {day}"
            f"{first}{night}")


def ask_first_lead(dose_rules: Sequence[str], regimen: Regimen | None) -> str:
    """`` First ask a clinician: ...`` after advice to take magnesium, when a rule asks it.

    A rule's :data:`ASK_FIRST` was said only below "Start glycinate" (/tmp/w52/d2 G5): it leads,
    as an unknown name's does (:data:`model.report.advice.UNCHECKED_FIRST`).
    """
    why = next((m[1] for r in dose_rules if (m := re.search(rf"([^;:]+), {ASK_FIRST}", r))), "")
    if not why or regimen is None or not regimen.active:
        return ""
    return (f" First ask a clinician: {why.strip()}, a daily magnesium supplement beside the "
            "magnesium laxative or antacid you take now and then is where too much magnesium "
            "builds up (see With your medicines).")


def share_warning(other: OtherMagnesium, limit_mg: float, ceiling_mg: float) -> str:
    """What the other magnesium leaves the supplement, how it was read, what is compared."""
    salts = "".join(f"; {said}" for _, said in other.salts)
    read = ("" if other.from_profile else
            ", each dose read as elemental magnesium (the safe side: set other_magnesium_mg "
            "in your profile if the labels give less magnesium)" if not salts else
            f" (the safe side{salts}: set other_magnesium_mg in your profile if the labels "
            "give less magnesium)")
    return (f"Your other magnesium, {other.words()}{read}, counts towards the limit of "
            f"{limit_mg:g} mg a day from supplements and medicines together, so mgsleep "
            f"advises at most {ceiling_mg:g} mg a day of the supplement. Your nights without "
            "the supplement are not without magnesium: the analysis compares the supplement "
            "on top of what you take. List only your other products among the medications, "
            "not the supplement your diary records")


def after_other(other_mg: float) -> str:
    """`` (after 100 mg a day of magnesium from other products)`` beside a ceiling, or ``""``."""
    return f" (after {other_mg:g} mg a day of magnesium from other products)" if other_mg else ""


def at_limit_reason(other: OtherMagnesium, limit_mg: float, least_mg: float) -> str:
    """The referral when the other magnesium leaves less than the least dose advised."""
    room = max(0.0, limit_mg - other.mg)
    leaves = ("already reaches" if not room else
              f"leaves {room:g} mg, less than the least dose mgsleep advises ({least_mg:g} mg), "
              "under")
    return (f"your other magnesium, {other.words()}, {leaves} the limit of {limit_mg:g} mg a "
            "day from supplements and medicines together: take no magnesium supplement on "
            "top of it, and ask a pharmacist or clinician whether to lower the others (too "
            "much magnesium first loosens the stools)")
