"""Words of a diary's free text that point to a name with a rule without naming it: said.

An outside audit (/tmp/w52/e E4-E7, E12, E13): "eGFR 25 at check-up", "12 week scan today",
"levo 50mcg", "started a bisphosphonate" were silence, while "enceinte" (a loudspeaker too),
"Anna is pregnant" and "my teenager" were applied. The product's rule: a safety word is at
least said (``unsure``, with a true reason), never silence, and a word that may be another's
or another thing is said, not applied. :mod:`model.decision.diary_mentions` reads these:

- :func:`hinted`: a figure of kidney function (its newest:
  :func:`~model.decision.mention_cues.kidney_figure`) or a high creatinine, an age, a
  pregnancy's weeks, an emoji (:func:`_signs`), a word that goes with a name (:data:`HINTS`:
  "midwife", "levo"), a class of medicines (``safety.toml``'s ``[[classes]]``);
- :func:`other_meaning`: why a name as written may not be the person's own fact (a word of
  another language without its language's words, someone named, an age not one's own).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from model.decision.mention_cues import BABY_WORDS, CALENDAR, Reading, kidney_figure, straight
from model.evidence.name_words import Kind, spoken
from model.evidence.names import NameIndex
from model.evidence.schema import Safety

UNSURE_WHY = "the diary does not say for sure that it is yours and so now"
"""Why a name written with a word of :data:`UNSURE_WORDS` (or a "?") is said, not screened."""

CAUTION_WHY = ("mgsleep applies a caution from your profile only (in a magnesium diary, "
               "diarrhoea may be the supplement's own)")
"""Why a caution's condition the diary names is said, not screened: its words are often
magnesium's own effects, which the GI columns and rules judge."""

KIDNEY = "severe_renal_impairment"
"""The condition an eGFR below the profile's rule's limit stands for."""

KIDNEY_BANDS = (KIDNEY, "moderate_renal_impairment")
"""The kidney rules an eGFR written in the diary may fall under, most severe first."""

FIGURE_WORDS = frozenset({("egfr",), ("gfr",), ("creatinine",), ("kidney", "function"),
                          ("renal", "function"), ("kidneys",)})
"""Words of :data:`HINTS` a kidney figure in the same clause speaks for: "eGFR 85" is no
kidney disease, "eGFR 45" the moderate rule's (an outside check of /tmp/w52/e's fix: both
were said to name severe renal impairment)."""

HINTS: dict[tuple[str, ...], tuple[Kind, str, str]] = {
    **{words: ("condition", "pregnancy", "often goes with a pregnancy") for words in (
        ("midwife",), ("antenatal",), ("week", "scan"), ("dating", "scan"),
        ("anomaly", "scan"), ("pink", "lines"), ("clearblue",), ("hcg",), ("ssw",),
        ("edd",), ("due", "date"), ("baby", "due"), ("ob", "appt"), ("ob", "appointment"),
        ("obgyn",), ("obstetrician",),
        ("baby", "kicking"), ("babys", "kicking"), ("bump",), ("two", "lines"),
        ("positive", "test"), ("weeks", "along"))},
    **{words: ("condition", "breastfeeding", "often goes with breastfeeding") for words in (
        ("pumping",), ("pumped",), ("expressed",), ("mastitis",), ("let", "down"), ("latch",),
        ("latching",), ("boob",), ("combi", "feeding"), ("engorged",), ("bf",), ("ebf",),
        ("breast", "pump"), ("nipple", "shield"), ("tandem", "feeding"), ("the", "breast"),
        ("breastfeedin",), ("bfing",), ("nursed",), ("milk", "supply"), ("nipples",), ("stillend",),
        ("stillende",), ("feeding",), ("feeds",), ("feed",), ("fed",), ("mixed", "feeding"),
        ("combined", "feeding"), ("postpartum",), ("post", "partum"), ("postnatal",),
        ("milk", "came"), ("expressing",))},
    **{words: ("condition", KIDNEY, "speaks of the kidneys' function") for words in (
        ("kidney", "problems"), ("kidney", "problem"), ("kidney", "issues"),
        ("bad", "kidneys"), ("weak", "kidneys"), ("kidney", "function"),
        ("renal", "function"), ("egfr",), ("gfr",), ("creatinine",), ("kidneys",),
        ("pd", "exchange"), ("renal", "clinic"), ("transplant", "list"), ("hd",), ("pd",),
        ("capd",), ("apd",), ("dialyse",), ("dialisi",), ("dialise",))},
    **{words: ("condition", "heart_block", "may be a heart block") for words in (
        ("avb",), ("chb",), ("1", "block"))},
    ("achr",): ("condition", "myasthenia_gravis", "often goes with myasthenia gravis"),
    ("levo",): ("medicine", "levothyroxine", "may be levothyroxine (or another 'levo' medicine)"),
    ("li",): ("medicine", "lithium", "may be lithium (its chemical symbol)"),
    ("digox",): ("medicine", "digoxin", "may be digoxin (its first letters)"),
    ("alendronic",): ("medicine", "alendronate", "may be alendronic acid (alendronate)"),
    ("doxylin",): ("medicine", "doxycycline", "may be doxycycline (a brand of it)"),
    **{(typo,): ("medicine", name, f"may be {name} misspelt") for typo, name in (
        ("lithum", "lithium"), ("lithim", "lithium"), ("litium", "lithium"),
        ("digoxen", "digoxin"), ("digoxine", "digoxin"), ("dijoxin", "digoxin"))},
}
"""Words that go with a name without being it, each with its name and why it is said."""

NUMBERED = {("pumped",): frozenset({"at"}), ("li",): frozenset({"level", "levels"})}
"""Hints only before a number or one of their words ("pumped 120ml"; "pumped up for the gym"
is none; "Li 400", "Li level 0.6", not "Dr Li" nor "li-ion")."""

PREGNANCY_WORDS = frozenset({"baby", "pregnant", "pregnancy", "preg", "weeks", "wks", "kicking",
                             "kicks", "midwife", "hcg", "clearblue", "test", "faint"})
"""Words of a pregnancy that a hint of :data:`WITH` needs beside it."""

FEED_WORDS = frozenset({"milk", "breast", "feed", "feeding", "feeds", "baby", "pump", "pumping",
                        "nipple", "ml", "oz", "night", "nursing"})
"""Words of breastfeeding that a hint of :data:`WITH` needs beside it."""

DIALYSIS_WORDS = frozenset({
    "dialysis", "kidney", "kidneys", "renal", "session", "sessions", "fistula", "unit",
    "nephrology", "cancelled", "missed", "skipped", "today", "tonight", "overnight", "needling",
    "needles", "catheter", "line", "fluid", "machine", "cycler", "bags", "bag", "exchange",
    "exchanges", "dwell", "drain", "peritonitis", "tenckhoff", "post", "pre"})
"""Words of a dialysis that "HD" or "PD" needs beside it ("HD cancelled", "PD tonight")."""

BABY_FEED = frozenset({"baby", "babies", "newborn", "infant", "twins", "bub", "night", "nights",
                       "cluster"})
"""Words that make a feed a baby's (:data:`WITH`: "feeding the baby myself", "night feeds")."""

NOT_MY_FEED = frozenset({"cat", "cats", "dog", "dogs", "pets", "pet", "fish", "birds", "horse",
                         "horses", "chickens", "ducks", "lambs", "calves", "puppy", "kitten",
                         "tube", "ng", "peg", "bottle", "bottles", "formula", "husband",
                         "partner", "dad", "daddy", "hubby", "dh", "he", "wife", "nan", "gran",
                         "grandma", "mum", "mom", "nanny", "up", "news", "instagram", "rss"})
"""Words of an animal's, a tube's, a bottle's, another's or no feed ("fed up", "news feed")."""

WITH: dict[tuple[str, ...], frozenset[str]] = {
    ("hd",): DIALYSIS_WORDS, ("pd",): DIALYSIS_WORDS - {"unit", "session", "sessions"},
    **dict.fromkeys((("feeding",), ("feeds",), ("feed",), ("fed",)), BABY_FEED),
    **dict.fromkeys((("two", "lines"), ("due", "date")), PREGNANCY_WORDS),
    ("edd",): PREGNANCY_WORDS | {"due"},
    **dict.fromkeys((("let", "down"), ("expressed",), ("expressing",), ("the", "breast")),
                    FEED_WORDS),
    ("latch",): FEED_WORDS | {"issues", "issue", "problems", "problem", "pain", "painful", "bad",
                              "shallow", "poor", "sore", "better", "clinic", "tongue", "tie"},
}
"""Hints of another meaning too ("film in HD", "let down by the GP", "door latch": /tmp/w52/e3
F14), each with the words one of which it needs in its clause; "EDD" alone too (:func:`_beside`)."""

UNLESS: dict[tuple[str, ...], frozenset[str]] = {
    ("bump",): frozenset({"head", "speed", "fist", "knee", "leg", "arm", "road", "hit",
                          "banged", "car", "bike"}),
    ("positive", "test"): frozenset({"covid", "flu", "lft", "lateral", "strep", "hiv", "hep",
                                     "pcr", "antigen", "rsv", "drug"}),
    ("boob",): frozenset({"tube", "job", "top"}),
    ("chb",): frozenset({"hep", "hepatitis"}),
    ("hd",): frozenset({"tv", "telly", "movie", "film", "watched", "watching", "netflix",
                        "stream", "video", "screen", "camera", "radio", "4k", "channel",
                        "huntington", "huntingtons", "harley", "monitor", "youtube", "drive"}),
    ("pd",): frozenset({"parkinson", "parkinsons", "tremor", "levodopa", "sinemet", "madopar",
                        "professional", "development", "training", "course", "inset", "day",
                        "police", "pupillary", "glasses", "cpd", "teacher", "teachers", "meds",
                        "med", "medication"}),
    ("latch",): frozenset({"door", "gate", "window", "lock", "car", "boot", "shed", "cupboard",
                           "fridge", "garden", "key", "bathroom", "bolt", "wifi", "circuit"}),
    **dict.fromkeys((("feeding",), ("feeds",), ("feed",), ("fed",)), NOT_MY_FEED),
}
"""Hints said unless with a word of their other meaning ("bump on the head", "covid positive
test", "boob tube", "CHB (hep B)": /tmp/w52/e3 F14; "bump getting heavy" is said)."""

LANGUAGE_CUES: dict[str, frozenset[str]] = {
    "enceinte": frozenset({"suis", "es", "est", "etre", "semaines", "mois", "je", "j", "pas"}),
    "stillen": frozenset({"ich", "wir", "baby", "kind", "noch", "sohn", "tochter"}),
    "stille": frozenset({"ich", "noch", "baby", "kind"}),
    "gravida": frozenset({"estou", "sou", "esta", "semanas", "meses", "eu"}),
}
"""A word of another language that is a word of its own too ("enceinte": a loudspeaker,
"stillen": to quench, "gravida": an obstetric history), with its language's words that make it
the person's: without one, said, not applied."""

FIRST_OWN = frozenset({"stillen"})
"""Of :data:`LANGUAGE_CUES`, those that are their condition first in a clause ("Stillen nachts")."""

I_AM = frozenset({"i", "im", "am", "ich", "je", "yo", "io", "eu", "ik"})
"""Words of the person's own being: an age's name (:data:`KIDNEY`'s sibling ``under_18``) is
the person's only with one ("my teenager kept me up" is not)."""

TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
"""10 to 19 in words ("I'm sixteen")."""

TEEN = r"1\d|" + "|".join(TEENS)
"""10 to 19 in digits or words."""

AGE = re.compile("(?:" + "|".join((
    r"\b(?:i'?m|i am|turned)\s+(?:only\s+|just\s+)?(?P<am>" + TEEN + r")\b",
    r"^\s*(?:(?!(?:my|his|her|our|their|the|son|daughter)\b)\w+\s+)?being\s+(?P<being>" + TEEN
    + r")\b", r"\baged?:?\s+(?P<aged>\d{1,2})\b",
    r"\b(?P<yo>\d{1,2}|" + TEEN + r")\s*-?\s*(?:yo|y/o|y\.o|(?:yrs?|years?)[\s-]*(?:old|young))\b",
    r"^\s*(?P<sex>1\d)\s*\(?(?:f|m|female|male)\b",
    r"^\s*[fm]\s?(?P<xes>1\d)(?=\s*(?:here\b|\W*$))",
    r"(?:(?:^\s*|\bi\s+|\bi'?m\s+|\bi\s+am\s+|\bi'?ll\s+|\bi\s+will\s+)turn(?:ing)?|\bi(?:'?ll|\s+"
    r"will)\s+be|\b(?:ich\s+werde|cumplo|je\s+vais\s+avoir|compio))\s+(?P<turn>" + TEEN + r")\b",
    r"^\s*(?P<soon>" + TEEN + r")\s+(?:next\s+(?:week|month|year)|tomorrow)\b",
    r"\b(?:j'?ai|tengo|ho|tenho|ich bin|ik ben)\s+(?P<lang>1\d)(?=\s*(?:ans|a[nñ]os|anni|jahre|"
    r"jaar)?\b)\b")) + r")(?!\s*(?:mg|mcg|%|/|weeks?|wks?|months?|days?|nights?|hours?|hrs?|min\w*|"
    r"stone|st|kgs?|kilos?|lbs?|pounds?|ft|feet|cm|miles?|km|percent|points?|pts|goals?|outside|"
    r"degrees?|cold|freezing|(?:years?|yrs?)\b(?![\s-]*(?:old|young|of\s+age))))", re.IGNORECASE)
"""An age the person gives ("I'm 16", "I'm sixteen", "age: 15", "16 yo", "sixteen y/o", "16
years young", "I'm a 16-year-old", "just turned 16", "being 16 sucks", "16F" or "16 (F)" or
"F16" alone first; "I turn 18 next month", "16 next week": a birthday to come, a year less):
below 18, the under-18 rule's, said; "I'm" only before 10 to 19 and never before a unit ("im
8 days late", "I'm 12 wks pregnant", "I'm 14 stone", "I'm 10 years sober" are no age:
/tmp/w52/e2 R14, /tmp/w52/e3 F13; "F16 fighter jet" none)."""

AS_A = re.compile(r"\bas\s+an?\s*$", re.IGNORECASE)
"""Words before an age that make it the person's ("as a 16 year old")."""

NOT_OWN_AGE = re.compile(r"\b(?:my|our|her|his|their|the)\s+$", re.IGNORECASE)
"""Words before an age that make it someone's or something's ("my 16 yo")."""

GESTATION = re.compile(r"\b(?:[4-9]|[1-3]\d|4[0-2])\s*(?:/\s*40|\+\s*[0-6])(?![\d=])|\b\d{1,2}\s*"
                       r"(?:wks?|weeks?)\s+(?:along|gestation)\b|\b(?:preg|pg|ga)\s*\d{1,2}\s*"
                       r"(?:wks?|weeks?)\b|^\s*(?:(?:i'?m|i\s+am)\s+(?:only\s+|just\s+|now\s+)?)?(?:[4-9]|[1-3]"
                       r"\d|4[0-2])\s*(?:wks?|weeks?)(?:\s+(?:today|now|already|exactly))?\W*$|"
                       r"\b\d{1,2}\s*w\s*[0-6]\s*d\b|\bscan\s+at\s+\d{1,2}\s*(?:wks?|weeks?)|"
                       r"\b(?:baby\s+)?due\s+in\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                       r"|\b\d{1,2}\s*wks?\s+today\b|\bwk\s*\d{1,2}\b|\b\d{1,2}\s*wk\s+scan\b"
                       r"|\b(?:estoy\s+de|je\s+suis\s+[àa]|sono\s+(?:di|alla)|ik\s+ben)\s+\d{1,2}\s*"
                       r"(?:semanas|semaines|settimane|weken)\b|\N{PREGNANT WOMAN}|\N{BABY}"
                       r"[\U0001F3FB-\U0001F3FF]?\s*(?:is\s+)?on\s+(?:the|its|her|his)\s+way",
                       re.IGNORECASE)
"""A pregnancy's age ("24/40", "36+2", "12 weeks along", "pg 10wks", "GA 24 weeks", "24w3d",
"I'm 15 weeks (today)" alone, not "I'm 15 weeks into training"; "estoy de 20 semanas", "scan at
20 weeks"), "due in March", the pregnant woman's emoji, a baby's "on the way": said as a
pregnancy (/tmp/w52/e2 R11, /tmp/w52/e3 F10); not a score ("scored 24/40", "36+2=38", "5+1
tablets": :data:`NOT_GESTATION`)."""

BREASTFEEDING_EMOJI = "\N{BREAST-FEEDING}"
"""The breastfeeding emoji: said as breastfeeding ("night feeds" with it)."""

NOT_GESTATION = frozenset({"scored", "score", "got", "quiz", "exam", "marks", "tablets", "pills",
                           "left", "homework"})
"""Words beside a notation of :data:`GESTATION` that make it a score or a count."""


def _age(text: str) -> re.Match[str] | None:
    """The first age of :data:`AGE` in ``text`` (straight) that may be the person's.

    Not after :data:`NOT_OWN_AGE`; "16 yo" only with a word of :data:`I_AM`, :data:`AS_A` or
    first ("the car is 12 years old" is none: /tmp/w52/e3 F13).
    """
    words = set(re.findall(r"[a-z]+", text.lower()))
    return next((m for m in AGE.finditer(text) if not NOT_OWN_AGE.search(text[:m.start()]) and (
        not m["yo"] or I_AM & words or AS_A.search(text[:m.start()])
        or not text[:m.start()].strip())), None)


def age_given(text: str) -> str:
    """The first age below 20 :func:`_age` finds in ``text``, as digits ("" when none).

    A birthday to come ("I turn 18 next month", "16 next week") is a year less, but today's.
    """
    text = straight(text)
    found = _age(text)
    if found is None:
        return ""
    age = found[found.lastgroup or 0].lower()
    years = TEENS.index(age) + 10 if age in TEENS else int(age)
    coming = found.lastgroup in ("turn", "soon") and not re.match(r"\s*today", text[found.end():])
    return str(years - coming)


def own_age(clause: str) -> bool:
    """Whether a clause's age is the person's without a word of :data:`I_AM`.

    Any form but "16 yo", which is so after :data:`AS_A` or with nothing after it ("17 y.o.";
    not "16 yo daughter").
    """
    found = _age(straight(clause))
    return found is not None and (found.lastgroup != "yo" or bool(
        AS_A.search(clause[:found.start()])) or not re.sub(r"\W", "", clause[found.end():]))


SELF = frozenset({"i", "im", "me", "my", "myself", "ich", "je", "j", "yo", "io", "eu", "ik"})
"""The person's own words: a clause with one is the person's, not the last clause's doubt."""

PERSON = re.compile(r"(?<!^)\b([A-Z][a-z]+)\b")
"""A capitalised word inside a clause (not its first): a person's name ("drove Jim to
dialysis") or a German noun ("meine Schwester ist schwanger")."""

NO_PERSON = CALENDAR | frozenset({"mr", "mrs", "ms", "dr", "gp", "ecg", "ct", "lyme", "covid",
                                   "crohn", "crohns", "graves", "hashimoto", "addison",
                                   "cushing", "parkinson", "parkinsons", "raynaud"})
"""Capitalised words that are no person of :data:`PERSON`: days, months, a title ("Mr
Schwanger"), a disease named after one ("Vibramycin for Lyme": /tmp/w52/e2 R13)."""

OTHERS_WHY = "it may be someone else's (a name or another's word is beside it)"
"""Why a name someone else's words are beside is said, not screened."""

NOT_OWN_WHY = "the diary does not say it is your own age"
"""Why an age without the person's own words is said, not screened."""

KIN_OWNERS = frozenset({"dad", "mum", "mom", "mother", "father", "partner", "husband", "wife",
                        "son", "daughter", "brother", "sister", "nan", "gran", "grandma",
                        "grandad", "friend", "boyfriend", "girlfriend"})
"""Whose fact a name after ("dad's eGFR 25": /tmp/w52/e3 F13) is."""

NAMED_FIRST = frozenset({"is", "s", "was", "has", "takes", "took", "started"})
"""After a clause's first capitalised word, the verbs that make it someone ("Anna is
pregnant", "Sarah's pregnant")."""


def _signs(words: Sequence[str], clause: str, safety: Safety) -> list[tuple[str, str]]:
    """The conditions a clause's figures or signs give, each with why it is said.

    An eGFR (or creatinine clearance) the profile would read below its kidney rule's limit
    names that rule's condition, else a high creatinine (:func:`creatinine_given`) the severe
    one's; an age below the under-18 rule's; a pregnancy's weeks (:data:`GESTATION`); the
    breastfeeding emoji.
    """
    adult = next((c.below for c in safety.contraindications if c.condition == "under_18"), None)
    figure, age = kidney_figure(clause), age_given(clause)
    band = kidney_band(figure, safety) if figure is not None else ""
    written, creatinine = creatinine_given(clause) or ("", 0.0)
    return [hint for hint, given in (
        ((band, f"it gives a kidney function (eGFR) of {figure or 0:g}"), bool(band)),
        ((KIDNEY, f"it gives a creatinine of {written}, above the usual range"),
         not band and creatinine >= HIGH_CREATININE),
        (("under_18", f"it gives an age of {age}"), bool(age) and adult is not None
         and int(age) < adult),
        (("pregnancy", "it gives a pregnancy's weeks, its due month or its emoji"),
         bool(GESTATION.search(clause)) and not NOT_GESTATION & set(words)),
        (("breastfeeding", "its emoji is breastfeeding's"), BREASTFEEDING_EMOJI in clause))
        if given]


def hinted(words: Sequence[str], clause: str, index: NameIndex,
           safety: Safety) -> list[tuple[int, int, Kind, str, str]]:
    """The names a clause points to: start, end, kind, name, why it is said, not screened.

    Those of its figures and signs (:func:`_signs`), then a word of :data:`HINTS` (not a word
    of :data:`FIGURE_WORDS` whose figure the clause gives) or a class of medicines.
    """
    figured = kidney_figure(clause) is not None or bool(creatinine_given(clause))
    found: list[tuple[int, int, Kind, str, str]] = [
        (0, len(words), "condition", name, why) for name, why in _signs(words, clause, safety)]
    for k in range(len(words)):
        for size in (1, 2):
            run = tuple(words[k:k + size])
            if len(run) == size and run in HINTS and (run not in NUMBERED or any(
                    w[:1].isdigit() or w in NUMBERED[run] for w in words[k + size:k + size + 1])
            ) and not (figured and run in FIGURE_WORDS) and _beside(run, words):
                kind, name, why = HINTS[run]
                found.append((k, k + size, kind, name, f"{spoken('_'.join(run))!r} {why}"))
            members = index.members(" ".join(run)) if len(run) == size else ()
            ruled = [m for m in members if index.match(m, "medicine")]
            if ruled:
                found.append((k, k + size, "medicine", ruled[0],
                              f"{' '.join(run)!r} names a class of medicines, not the one "
                              "you take"))
    return [hint for k, hint in enumerate(found)
            if hint[3] not in {other[3] for other in found[:k]}]


def _beside(run: tuple[str, ...], words: Sequence[str]) -> bool:
    """Whether a hint's clause holds a word :data:`WITH` asks of it, and none of :data:`UNLESS`.

    "EDD" or "due date" alone too, with numbers and days ("due date 3 March").
    """
    return not UNLESS.get(run, frozenset()) & set(words) and (
        run not in WITH or bool(WITH[run] & set(words)) or (run in (("edd",), ("due", "date"))
                                                            and all(w in run or w[:1].isdigit()
                                                                    or w in CALENDAR
                                                                    for w in words)))


CREATININE = re.compile(r"(?:\b(?:creat(?:inine?)?|kreatinin|cr[ée]atinine|s-?cr)|(?:^\s*|\b(?:my|"
                        r"serum|blood|bloods|labs?|latest|last|and|with|renal|kidney)\s+)cr)"
                        r"\s*(?:[:=~]\s*|\b(?:is|was|of|now|at|up\s+to)\s+)?(\d+(?:[.,]\d+)?)"
                        r"(?![\d.,])\s*(umol|µmol|μmol|micromol|mmol|mg\s*/\s*dl)?(?:\s*/\s*l\b)?"
                        r"(?!\s*(?:mcg|µg|ug|mg|g\b|kg|km|m\b|cm|mi\b|miles?|%|ml\b|x\b|min|"
                        r"[ap]m\b|h\b|hrs?\b|hours?\b))", re.IGNORECASE)
"""A creatinine written with its figure ("creatinine 450", "creat 450", "Cr 4.5", "Cr 4.5
mg/dL"; "Cr" first or after a word of a blood test, not "Ambien CR 12.5", nor a distance, a
dose or a time: "Cr 4.5 km", "Cr 200mcg")."""

HIGH_CREATININE = 130.0
"""A creatinine (micromol/L, about 1.5 mg/dL) said as the severe kidney rule's: no eGFR from it."""


def creatinine_given(text: str) -> tuple[str, float] | None:
    """The first creatinine written (:data:`CREATININE`), and in micromol/L ("Cr 4.5": mg/dL)."""
    found = CREATININE.search(text)
    if found is None:
        return None
    value, unit = float(found[1].replace(",", ".")), (found[2] or "").lower()
    mg = unit.startswith("mg") or (not unit and value < 20)
    factor = 1000.0 if unit == "mmol" else 88.4 if mg else 1.0
    return found[0][found.start(1) - found.start():].strip(), value * factor


def kidney_band(egfr: float, safety: Safety) -> str:
    """The kidney rule of :data:`KIDNEY_BANDS` an eGFR falls under ("" when none)."""
    rules = {c.condition: c.below for c in (*safety.contraindications, *safety.cautions)
             if c.condition in KIDNEY_BANDS and c.below is not None}
    return next((name for name in KIDNEY_BANDS if egfr < rules.get(name, 0.0)), "")


def profile_line(name: str, entry: str, text: str, index: NameIndex, own: bool = True) -> str:
    """What a hinted name's warning asks the profile to give, when its words are no entry.

    A kidney rule's: ``egfr = 25`` (the figure the diary gives, else an instruction to put
    the last blood test's; that too when not ``own``: "dad's eGFR 25"); an age's: ``age =
    16``; a class of medicines' (``entry``, the
    words read): an instruction to put the one taken; "" for any other name: the warning puts
    it in its list.
    """
    figure = kidney_figure(text)
    if name in KIDNEY_BANDS:
        return (f"egfr = {figure:g}" if figure is not None and own else
                "put your eGFR from your last blood test in your profile: egfr = <the figure>")
    if name == "under_18" and own and (age := age_given(text)):
        return f"age = {age}"
    return ("put the medicine's own name in your profile's medications"
            if index.members(entry) else "")


def other_meaning(words: Sequence[str], start: int, end: int, clause: str, name: str) -> str:
    """Why a name read at ``words[start:end]`` may not be the person's fact ("" if none)."""
    key = "_".join(words[start:end])
    if key in LANGUAGE_CUES and not LANGUAGE_CUES[key] & set(words) and len(words) > end - start \
            and (start or key not in FIRST_OWN):
        return f"{spoken(key)!r} is a word of its own too, and the diary does not say it is yours"
    if name == "under_18" and not I_AM & set(words) and not own_age(clause):
        return NOT_OWN_WHY
    if {"mr", "mrs", "ms", "dr"} & set(words[max(0, start - 1):start]):
        return f"{spoken(key)!r} follows a title: it may be someone's name"
    if SELF & set(words):
        return ""
    own = {*words[start:end], *NO_PERSON}
    named = [m for m in PERSON.finditer(clause.strip())
             if m[1].lower() not in own and m[1].lower().removesuffix("s") not in own]
    first = re.match(r"\s*([A-Z][a-z]+)(?:'s|\s+(\w+))", clause)
    if named or (first and first[1].lower() not in own | BABY_WORDS
                 and (first[2] or "s").lower() in NAMED_FIRST):
        return OTHERS_WHY
    return ""


def hint_meaning(words: Sequence[str], start: int, end: int, clause: str, name: str) -> str:
    """Why a hint may not be the person's ("" if none).

    :func:`other_meaning`'s, or a kin's possessive in its clause ("dad's eGFR 25": /tmp/w52/e3
    F13).
    """
    return other_meaning(words, start, end, clause, name) or (
        OTHERS_WHY if any(a in KIN_OWNERS and b == "s" for a, b in pairwise(words)) else "")


def said_why(read: Sequence[str], name: str, reading: Reading, unsure: bool,
         cautions: frozenset[str]) -> str:
    """Why a name is said, not screened ("" when it is screened).

    In doubt, a verb alias with an object not known, "mg" or "magnesium" (the supplement's
    own words), a caution's condition.
    """
    key = "_".join(read)
    return (UNSURE_WHY if unsure else
            f"{spoken(key)!r} is an everyday word too, and the diary does not say for sure "
            f"that it means {spoken(name)}" if reading == "unsure" else
            f"{spoken(key)!r} may mean the supplement in a magnesium diary"
            if "magnesium" in read or key == "mg" else CAUTION_WHY if name in cautions else "")
