"""Magnesium a person takes besides the supplement: its share of the daily ceiling.

The ceiling (350 mg a day, IOM 1997) is for magnesium from supplements and medicines
together, so a multivitamin's 100 mg or a ZMA's 450 mg leaves less for the supplement
mgsleep advises (a supplement stacker's audit: 200-350 mg was advised on top of 550 mg the
profile named). The other magnesium a day is:

- the profile's ``other_magnesium_mg`` when it gives one (the person's own count);
- else the doses written beside the magnesium products among the medications
  (``"magnesium aspartate 450 mg"``, ``"magnesium citrate 1.5 g"``, ``"... 150 mg twice a
  day"``), each read as elemental magnesium: a label's figure may be the salt's weight,
  which is more than the magnesium in it, so the count errs on the safe side. An entry with
  no dose in mg or g, or with several (``"calcium 600 mg magnesium 300 mg"``), cannot be
  counted; one taken now and then (``"as needed"``, ``"weekly"``) is not counted every day.
  Both keep the rule that asks the person to count them (:func:`entry_rule`).

The supplement's ceiling is then the limit less the other magnesium (and never above the
profile's own ``max_elemental_mg``); with less left than the least dose mgsleep advises,
magnesium is referred (:func:`at_limit_reason`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile

DOSE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(mg|milligrams?|g|grams?)\b", re.IGNORECASE)
"""A dose written in an entry: ``450 mg``, ``450mg``, ``1.5 g``, ``1,5 g``, ``1,000 mg``."""

NOW_AND_THEN = re.compile(
    r"\b(?:prn|as\s+needed|when\s+needed|if\s+needed|as\s+required|occasional(?:ly)?|"
    r"sometimes|weekly|monthly|(?:a|per|each|every)\s+(?:week|month)|times\s+a\s+week)\b",
    re.IGNORECASE)
"""Words of an entry taken now and then, not every day: its dose is not counted per day."""

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

    """

    mg: float
    counted: tuple[tuple[str, float], ...] = ()
    from_profile: bool = False
    the_supplement: tuple[str, ...] = ()

    def words(self) -> str:
        """``550 mg a day (from magnesium aspartate 450 mg and ...)``: the figure and whence."""
        whence = ("your profile's other_magnesium_mg" if self.from_profile else
                  "from " + " and ".join(given for given, _ in self.counted))
        return f"{self.mg:g} mg a day ({whence})"


def daily_mg(entry: str) -> float | None:
    """The elemental magnesium a day an entry's written dose stands for (None: not counted).

    The one dose in mg or g written in ``entry``, times how often a day it says it is
    taken (:data:`TIMES_A_DAY`, in words); None when it has no dose, several, another
    figure, is taken now and then (:data:`NOW_AND_THEN`) or is unsure (:data:`UNSURE`).
    A ``,`` before three digits separates thousands (``1,000 mg``), else it is a decimal
    comma (``1,5 g``).
    """
    doses = DOSE.findall(entry)
    if (len(doses) != 1 or len(re.findall(r"\d+(?:[.,]\d+)*", entry)) != 1
            or NOW_AND_THEN.search(entry) or UNSURE.search(entry)):
        return None
    number, unit = doses[0]
    value = float(number.replace(",", "" if re.fullmatch(r"\d+,\d{3}", number) else "."))
    times = next((n for pattern, n in TIMES_A_DAY if pattern.search(entry)), 1)
    return value * (1000 if unit.lower().startswith("g") else 1) * times


def other_magnesium(profile: Profile, products: Sequence[str],
                    taking: Regimen = NO_MAGNESIUM) -> OtherMagnesium:
    """The magnesium a day besides the supplement, from the profile or its written doses.

    ``products``: the profile's medications entries that are magnesium products (matched
    to a ``kind = "magnesium"`` interaction group). ``taking``: the supplement the diary
    records; an entry naming its form at its daily dose is that supplement, listed among
    the medications too, and is not counted (a review: "Magnesium glycinate 300 mg" in the
    profile of a person on glycinate 300 mg was counted, and the answer was "Stop taking
    magnesium now").
    """
    if profile.other_magnesium_mg is not None:
        return OtherMagnesium(profile.other_magnesium_mg, from_profile=True)
    doses = {given: daily_mg(given) for given in products}
    same = tuple(given for given, mg in doses.items()
                 if taking.active and mg == taking.elemental_mg
                 and taking.form in re.findall(r"[a-z]+", given.lower()))
    counted = tuple((given, mg) for given, mg in doses.items()
                    if mg is not None and given not in same)
    return OtherMagnesium(sum(mg for _, mg in counted), counted, the_supplement=same)


def same_warning(other: OtherMagnesium, taking: Regimen) -> str:
    """The entries naming the supplement the diary records, not counted twice."""
    named = " and ".join(repr(given) for given in other.the_supplement)
    return (f"{named} among your medications is the supplement your diary records "
            f"({taking.words}), so it is not counted as other magnesium; list only your other "
            "products there")


def entry_rule(given: str, rule: str, other: OtherMagnesium, ceiling_mg: float) -> str:
    """The rule said of a magnesium product among the medications, as its dose was counted.

    Its group's ``rule`` (ask a pharmacist how much magnesium it gives) when its dose was
    not counted; else that it was, and the supplement's ceiling it leaves.
    """
    mg = dict(other.counted).get(given)
    if not other.from_profile and mg is None:
        return rule
    counted = (f"counted in your profile's other_magnesium_mg ({other.mg:g} mg a day)"
               if other.from_profile else
               f"its {mg:g} mg a day is counted, as written (if you take more of it, or the "
               "label gives less magnesium, set other_magnesium_mg)")
    return (f"it is magnesium too: {counted}, which leaves your supplement at most "
            f"{ceiling_mg:g} mg a day")


def share_warning(other: OtherMagnesium, limit_mg: float, ceiling_mg: float) -> str:
    """What the other magnesium leaves the supplement, how it was read, what is compared."""
    read = ("" if other.from_profile else
            ", each dose read as elemental magnesium (the safe side: set other_magnesium_mg "
            "in your profile if the labels give less magnesium)")
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
