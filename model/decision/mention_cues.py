"""The words around a name in a diary's free text: had, stopped, perhaps, or not its condition.

Read by :mod:`model.decision.diary_mentions`, one clause at a time: a cue just before a name
(:data:`CUES`, with only :data:`FILLER_WORDS` between: :func:`cue_before`) or one of
:data:`AFTER_WORDS` just after it says whether it is had or stopped; a test's result
(:data:`RESULTS`) answers a test (:data:`TEST_WORDS`); a word of someone else's or of what is
not so yet (:data:`UNSURE_WORDS`) makes it perhaps, and a wish (:data:`WISH_WORDS`) a
condition after it; a verb alias (:data:`VERB_ALIASES`) names its condition unless its object
is a known other one (:func:`alias_reading`). A kidney figure's newest (:func:`kidney_figure`)
keeps its clause (:func:`clauses`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Literal

from model.data.profile_entries import egfr_written

Stance = Literal["has", "stopped", "unsure"]
Reading = Literal["names", "nothing", "unsure"]

STOP_WORDS = frozenset({
    "stopped", "stop", "stopping", "stops", "quit", "quitting", "ceased", "discontinued",
    "finished", "ended", "off", "without", "not", "no", "never", "didn", "don", "isn", "wasn",
    "weaned", "ruled", "from", "cancelled", "paused", "refused", "declined", "against",
    "instead", "allergic", "used", "lost", "loss", "termination", "terminated",
    "nicht", "kein", "keine", "pas", "non", "nao", "niet", "geen",          # six languages
    "abgesetzt", "gestoppt", "arrete", "arretee", "gestopt", "deje", "sospeso", "parei",
    "smesso"})
"""Words after which a name is stopped or not so ("no longer on lithium", "off dialysis",
"ruled out heart block", "switched from lithium", "refused digoxin", "used to take lithium",
"lost the pregnancy", "nicht schwanger"): :func:`cue_before`."""

START_WORDS = frozenset({
    "started", "start", "starting", "starts", "began", "begun", "begin", "new", "diagnosed",
    "diagnosis", "taking", "take", "took", "prescribed", "added", "commenced", "restarted",
    "resumed", "back", "to", "got", "have", "has", "now", "confirmed", "still", "continue",
    "continues", "continued", "continuing", "unchanged", "same", "again", "keep", "kept",
    "keeping"})
"""Words after which a name is had or begun ("started digoxin", "switched to ...", "kept
digoxin": /tmp/w52/e3 F11); a name
with no word before it is had too ("dialysis"), the safer reading. A continuation ("still on
digoxin", "digoxin continues", "unchanged") is one: it is never a stop carried over."""

TAPER_WORDS = frozenset({"coming", "weaning", "tapering", "taper", "cutting", "reducing",
                         "reduce", "lowering"})
"""Words of a taper or a weaning: with "off"/"from"/"down" it is still taken ("coming off
lithium slowly", "weaning from breastfeeding"), had: :func:`cue_before`."""

NEGATIONS = frozenset({"not", "never", "no", "didn", "don", "isn", "wasn", "nicht", "kein",
                       "keine", "pas", "non", "nao", "niet", "geen"})
"""Stop words that negate a start word after them ("not diagnosed with heart block")."""

ENDED = (("anymore",), ("any", "more"), ("no", "longer"), ("years", "ago"), ("used", "to", "take"),
         ("used", "to", "be"))
"""Runs of words that end a clause's names wherever they are ("not taking lithium anymore",
"was on lithium years ago", "lithium no longer needed", "used to take lithium"; not "I'm used
to digoxin now": /tmp/w52/e3 F1), unless a start word is the name's own: :func:`ended`."""

AS_BEFORE = frozenset({("as", "normal"), ("as", "usual"), ("as", "before"), ("same", "as"),
                       ("daily",)})
"""Words after a name that say it is taken as it was ("digoxin as normal", "digoxin daily"):
had, even after another name's stop (/tmp/w52/e3 F11): :func:`cue_after`."""

WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                      "sunday"})
"""The days of the week, written out."""

ONE_DOSE = WEEKDAYS | frozenset({"tonight", "today", "morning", "evening", "night", "yesterday",
                                 "forgot", "forgotten", "skipped", "missed", "dose", "day"})
"""Words of a missed dose or session: "no digoxin tonight" is a dose missed, "no dialysis
today" a session (/tmp/w52/e2 R8), still taken, had."""

STOP_VERBS = frozenset({"stopped", "stop", "stopping", "stops", "quit", "quitting", "ceased",
                        "discontinued", "finished", "ended", "cancelled", "paused"})
"""Stop words that are a deed, which a word of :data:`NOT_STOPPING` just before undoes."""

NOT_STOPPING = frozenset({"not", "never", "no", "didn", "don", "doesn", "won", "wont", "can",
                          "cannot", "cant", "couldn", "shouldn", "mustn", "refused", "declined",
                          "against", "allowed", "afraid", "haven", "hasn", "hadn", "wasn",
                          "isn", "nobody", "nicht", "instead"})
"""Words that, up to five words before a stop of :data:`STOP_VERBS`, make it no stop ("never
stopped lithium", "won't stop digoxin", "GP refused to stop my digoxin", "not allowed to stop
lithium", "nobody told me to stop", "instead of stopping": read as stopped, a hold undone,
/tmp/w52/e2 R5): still taken."""

CHANGE_FROM = frozenset({"switched", "switching", "switch", "changed", "changing", "moved",
                         "swapped", "weaned", "weaning", "off", "coming", "came",
                         "transitioned", "converted", "stopped"})
"""Words before "from" that make it a stop ("switched from lithium"); any other ("nausea from
digoxin", "dizzy from lithium": read as stopped; "taken 4 hours away from levothyroxine", the
separation rule kept: /tmp/w52/e2 R7) makes it no cue: still taken."""

TAKING = frozenset({"taking", "take", "took"})
"""Start words that only say taken, which a stop word before them negates ("stopped taking
digoxin", "no longer taking"), but not one of :data:`MISSED`."""

MISSED = frozenset({"not", "didn", "don"})
"""Stop words that before a word of :data:`TAKING` may say a dose missed ("didn't take
digoxin last night", "not taking it tonight"), not a medicine stopped: it stays had, the safer
reading (a later such mention would otherwise undo an earlier "started digoxin")."""

CUES: dict[str, Stance] = {**dict.fromkeys(START_WORDS | TAPER_WORDS, "has"),
                           **dict.fromkeys(STOP_WORDS, "stopped")}

AFTER_WORDS = frozenset({"started", "began", "begun", "commenced", "prescribed", "diagnosed",
                         "stopped", "ended", "finished", "discontinued", "ceased", "confirmed",
                         "ruled", "continues", "continue", "continued", "unchanged", "same",
                         "abgesetzt", "gestoppt", "arrete", "arretee", "gestopt", "loss",
                         "terminated"})
"""The words that say so after a name too ("dialysis started", "pregnancy ruled out",
"digoxin continues", "pregnancy loss", "Digoxin abgesetzt")."""

TEST_WORDS = frozenset({"test", "tests", "tested", "testing", "scare"})
"""A question a result (:data:`RESULTS`) answers, in its clause or the next: unsure till then."""

RESULTS: dict[str, Stance] = {"positive": "has", "negative": "stopped"}
"""A test's result, cues where a test is written (/tmp/w51/a F1: "positive pregnancy test"
was unsure, "pregnancy scare, test negative" screened as a pregnancy)."""

SIGNS = re.compile(r"([+-])ve\b", re.IGNORECASE)
"""A result written "+ve" or "-ve" (/tmp/w51/c C4: "pregnancy test +ve" was unsure)."""

BEFORE_OBJECT = frozenset({"a", "an", "the", "my", "our", "your", "her", "his", "their",
                           "another", "first", "second", "third", "new", "little", "again",
                           "still", "now", "already", "one"})
"""Words before a verb alias's object, or in place of one ("expecting our first", "a little
one"); a number is one too ("nursing my 4 month old")."""

FILLER_WORDS = BEFORE_OBJECT | frozenset({
    "me", "i", "im", "m", "s", "t", "re", "ve", "d", "ll", "am", "is", "are", "was", "were",
    "be", "been", "being", "had", "having", "longer", "on", "out", "of", "for", "any",
    "anymore", "more", "up", "all", "dose", "doses", "daily", "mg", "mcg", "ug", "g", "ml",
    "with", "course", "need", "so", "it", "them", "down", "mehr", "plus", "meer", "piu",
    "le", "la", "les", "l", "el", "il", "lo", "de", "del", "met", "mit", "je", "ich", "ik",
    "yo", "io", "eu", "suis", "es", "est", "ist", "bin", "ben", "estoy", "esta", "estou",
    "sono", "sou", "ne", "ho"})
"""The words that may stand between a cue and its name ("no longer pregnant", "stopped my
lithium", "started 125 mcg digoxin", "digoxin was stopped", "not diagnosed with", the small
words of the six languages: "je ne suis pas enceinte"); any other word between ("stopped
coffee since pregnant") means the cue is another word's (/tmp/w51/c C2), and the name is had,
the safer reading. A number is one too."""

VERB_ALIASES: dict[str, frozenset[str]] = {"expecting": frozenset({"to"}), "nursing": frozenset()}
"""Aliases that are everyday verbs too (/tmp/w51/a F2: "expecting my period" held the advice
as a pregnancy), each with the words that right after it make it that verb ("expecting to
sleep badly"; "nursing to sleep" is breastfeeding): :func:`alias_reading`."""

BABY_WORDS = frozenset({"baby", "babies", "twins", "triplets", "newborn", "infant", "boy",
                        "girl", "child", "feed", "feeds", "feeding"})
"""A verb alias's objects that keep it its condition; in its clause, no one else's."""

KIN_WORDS = frozenset({"son", "sons", "daughter", "daughters", "toddler", "toddlers", "due"})
"""Objects that keep a verb alias its condition unless a word of :data:`NOT_BABY` is in the
object too ("nursing my son", "expecting a son"; "expecting my son home late"); as the
object, no one else's (/tmp/w51/c C1)."""

AGES = frozenset({"week", "weeks", "wk", "wks", "month", "months", "mo", "mos"})
"""After a number, a pregnancy's or a baby's age ("expecting - 12 weeks", "nursing my 4
month old"): a verb alias's object that keeps it its condition."""

WORK_WORDS = frozenset({"shift", "shifts", "nights", "ward", "job", "work", "patients",
                        "patient", "hospital", "home", "course", "degree", "student", "agency"})
"""A nurse's work: as the object of "nursing" ("nursing shift", "nursing home visit") it names
nothing; after "nursing" with no object it makes it unsure ("nursing on nights", "nursing at
work"): :func:`alias_reading`."""

NOT_BABY = WORK_WORDS | frozenset({
    "period", "periods",                                                   # the cycle
    "cold", "colds", "flu", "hangover", "injury", "headache", "migraine", "cramps", "grudge",
    "sore", "sprained", "bad", "back", "throat", "ankle", "wound", "cough", "it",  # nursed
    "guests", "guest", "visitors", "visitor", "company", "parcel", "package", "delivery",
    "call", "email", "text", "letter", "news", "results", "result", "rain", "snow", "storm",
    "day", "week", "weekend", "worst", "much", "too", "sleep",             # awaited
    "hard", "promotion", "nothing", "school", "exam", "glass", "wine", "drink", "beer",
    "wounds", "injuries", "broken", "toe", "pride", "headaches"})
"""A verb alias's known objects that are not a baby: it names nothing ("expecting my period",
"nursing a cold", "expecting guests", "nursing shift")."""

NO_OBJECT = frozenset({"in", "at", "on", "since", "from", "for", "through", "during", "until",
                       "till", "with", "by", "to", "every", "each", "twice", "round",
                       "around", "overnight", "of"})
"""Words that end a verb alias's object, or show it has none ("expecting in June", "nursing
at night", "nursing twice a night")."""

UNSURE_WORDS = frozenset({
    "partner", "wife", "husband", "spouse", "boyfriend", "girlfriend", "son", "daughter",
    "child", "children", "kid", "kids", "baby", "mum", "mom", "mother", "dad", "father",
    "brother", "sister", "friend", "flatmate", "roommate", "housemate", "grandma",
    "grandmother", "grandpa", "grandfather", "aunt", "uncle", "colleague", "neighbour",
    "neighbor", "dog", "cat", "pet", "he", "she", "his", "her", "him", "their", "them",
    "maybe", "might", "perhaps", "possibly", "possible", "suspected", "query", "considering",
    "consider", "thinking", "planning", "plan", "planned", "will", "should", "if", "whether",
    "discuss", "discussed", "asked", "ask", "sure", "unsure", "tomorrow", "soon",
    "appointment", "cousin", "cousins", "coworker", "niece", "nephew", "sis", "sil", "bil",
    "mil", "fil", "fiance", "fiancee", "nan", "nana", "gran", "granny", "nanna", "boss",
    "vet", "stepdaughter", "stepson", "about", "hermana", "schwester", "soeur", "sorella",
    "irma", "zus", "madre", "mutter", "mere", "frau", "femme", "moglie", "esposa", "vrouw",
    "hubby", "dh", "grandad", "granddad", "wifey", "missus", "gf", "stepmum", "stepmom",
    "stepdad", "googled", "podcast", "article"})
"""Words of someone else's ("partner started lithium") or of what is not so yet ("maybe",
"GP to discuss dialysis", a "?"): the name is said, not screened; a test is so without a
result (:data:`TEST_WORDS`), a condition after a wish (:data:`WISH_WORDS`)."""

WISH_WORDS = frozenset({"trying", "hoping", "hope", "want", "wanting", "wants"})
"""A wish when "to" or "for" follows ("trying to get pregnant"): a condition after it is not
so yet; a medicine after it is taken (/tmp/w51/c C5: "trying to taper lithium" is taking it,
and "want to start lithium" read as taken is the safe side); "trying lithium" is taking it."""


MINE = frozenset({"i", "im", "m", "am", "we", "re"})
"""Words of being just before a name that keep it the person's in a clause of someone else's
("told my mum I'm pregnant", "husband thrilled, we're pregnant": /tmp/w52/e2 R13)."""


OFTEN_WORDS = frozenset({"all", "night", "lot", "lots", "constantly", "tonight", "strike",
                         "last", "nonstop", "often", "hourly", "again", "loads", "cluster"})
"""How often or when, as a verb alias's only object: its condition ("nursing all night",
"nursing a lot", "cluster nursing tonight", "a nursing strike": /tmp/w52/e E10)."""


CLAUSE = re.compile(r"(?<=[;,.!?])(?<!\by\.)(?!(?<=\d[.,])\d)\s*|"
                    r"\s+(?:and|but|then|also|plus|while|so|because)\s+", re.IGNORECASE)
"""Where a clause of a diary cell ends: "stopped melatonin, started digoxin" is two; a
clause without a cue of its own takes, for a name of a kind the last one named, that one's
stance ("quit wine, pregnant": had), a stop so carried said, not applied (:data:`CARRIED_WHY`:
"stopped melatonin, digoxin"). A clause of cues only ("so stopped", "back on it now") is the
clause before's names'. A sentence's doubt ends with it (:data:`SENTENCE`). A newer kidney
figure stays with its clause (:func:`clauses`), a decimal with its number ("ramipril 2.5 mg"),
"y.o." with its age ("17 y.o.")."""

SENTENCE = re.compile(r"(?<=[.!?\n])(?<!\by\.)(?!(?<=\d\.)\d)")
"""Where a sentence ends: "husband snoring. Pregnant" is the person's pregnancy."""

FIGURE = r"(\d+(?:[.,]\d+)?)(?!\s*(?:%|mg\b|years?\b|yrs?\b|weeks?\b|days?\b|[ap]m\b|:\d))"
"""A figure of kidney function, not a percentage, a dose, a time or a span."""

NEWER = re.compile(r"now\s+(?:(?:down|up)\s+to\s+|at\s+|only\s+|just\s+)?" + FIGURE + r"|"
                   + FIGURE + r"\s+(?:now|today|currently|this\s+(?:year|month|time))\b(?!\s*\d)"
                   r"|(?:dropped|dropping|fell|fallen|falling|down|declined|decreased|dipped|gone|"
                   r"went|rose|risen|up|improved|increased|reduced|slipped|sank)\s+(?:(?:down|up)"
                   r"\s+)?to\s+" + FIGURE + r"|then\s+" + FIGURE + r"|latest\s+(?:is\s+|was\s+)?"
                   + FIGURE + r"|(?:-+>|\N{RIGHTWARDS ARROW}|=>|from\s+\d+\s+to)\s*" + FIGURE,
                   re.IGNORECASE)
"""A newer kidney figure after an older one ("eGFR 70 last year, now 25", "GFR 45 last year,
25 now", "eGFR was 80, dropped to 25", "eGFR 40 then 25", "eGFR from 80 to 25")."""

DATED = re.compile(FIGURE + r"\s*(?:in\s+|\(\s*)((?:19|20)\d\d)\b", re.IGNORECASE)
"""A kidney figure with its year ("eGFR 60 in 2023, 22 in 2025": the latest year's decides)."""

EGFR_WORD = re.compile(r"\b(?:e?gfr|cr\s*cl|creatinine\s+clearance)\b", re.IGNORECASE)
"""The words of an eGFR, after which a newer figure (:data:`NEWER`) is read."""

KIDNEY_FIGURE = re.compile(EGFR_WORD.pattern + r"|\bcreat(?:inine)?\b", re.IGNORECASE)
"""An eGFR's or a creatinine's words, whose newer figure stays with it (:func:`clauses`)."""

CARRIED_WHY = ("the diary may mean it is stopped with the name before it, but does not say so "
               "for this one")
"""Why a name that only a list's stop governs ("stopped melatonin, digoxin") is said."""


CALENDAR = WEEKDAYS | frozenset({
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "jan", "feb",
    "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january",
    "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december"})
"""Days and months, written out or short: a time, never a person's name or a fact's word."""

def number(word: str) -> bool:
    """Whether a word is a number ("125", "2nd"), a filler of :data:`FILLER_WORDS`' kind."""
    return word[:1].isdigit()


def results_written(text: str) -> str:
    """``text`` with a result written "+ve" or "-ve" as "positive" or "negative"."""
    return SIGNS.sub(lambda sign: " positive" if sign[1] == "+" else " negative", text)


def wished_from(words: Sequence[str]) -> int:
    """Where a clause's wish is (the clause's length if it has none).

    The index of its first word of :data:`WISH_WORDS` before "to" or "for".
    """
    return next((k for k, (w, after) in enumerate(pairwise(words))
                 if w in WISH_WORDS and after in ("to", "for")), len(words))


def ended(words: Sequence[str]) -> bool:
    """Whether a clause's words hold a run of :data:`ENDED` ("not taking lithium anymore")."""
    return any(tuple(words[k:k + len(run)]) == run for run in ENDED for k in range(len(words)))


def cue_before(before: Sequence[str], cues: Mapping[str, Stance], *, over: bool = False,
               missed: bool = False) -> Stance | None:
    """The stance the cues just before a name give it, None if none is its own.

    ``before``: the clause's words before the name. Back over :data:`FILLER_WORDS`, numbers
    and cues, the nearest cue decides; another word first ("stopped coffee since pregnant")
    ends the search. A taper (:data:`TAPER_WORDS`) among them is had ("weaning off lithium");
    a start word yields to a negation before it ("not diagnosed with"), one of :data:`TAKING`
    or "to" to any stop word ("stopped taking digoxin", "allergic to"), but not one of
    :data:`MISSED` unless the clause is ``over`` (:func:`ended`: "not taking it anymore").
    A switch between numbers is a dose changed, had ("changed from 2 to 1 digoxin a day").
    A stop only by negations is a dose ``missed`` when the clause says so (:data:`ONE_DOSE`:
    "no digoxin tonight"): had.
    """
    if before[-1:] == ["non"]:   # an English prefix: "non dialysis day" (/tmp/w52/e2 R4)
        return None
    run: list[str] = []
    for word in reversed(before):
        if word in cues:
            run.append(word)
        elif word not in FILLER_WORDS and not number(word):
            break
    if not run:
        return None
    if TAPER_WORDS & set(run) or any(_undone(before, w) for w in run) or run[:2] == ["to", "used"]:
        return "has"   # "used to digoxin now": accustomed
    if {"from", "to"} <= set(run) and any(map(number, before[_at(before, "from"):])):
        return "has"   # a dose changed: "switched from 400mg to 200mg lithium"
    if run[0] == "from" and not CHANGE_FROM & set(before[max(0, _at(before, "from") - 2):
                                                          _at(before, "from")]):
        return None
    stops = {w for w in run[1:] if cues[w] == "stopped" and (over or w not in MISSED)
             and not _undone(before, w)}
    if cues[run[0]] == "has":
        yields = stops if run[0] in TAKING | {"to"} else NEGATIONS.intersection(run[1:])
        return "stopped" if yields and not (missed and yields <= NEGATIONS) else "has"
    negations = {w for w in run if cues[w] == "stopped"}
    return "has" if missed and negations <= NEGATIONS else cues[run[0]]


def _at(words: Sequence[str], word: str) -> int:
    """Where ``word`` is last in ``words``."""
    return len(words) - 1 - list(reversed(words)).index(word)


def _undone(before: Sequence[str], cue: str) -> bool:
    """Whether the stop ``cue`` nearest a name is negated (:data:`NOT_STOPPING`)."""
    at = _at(before, cue)
    return cue in STOP_VERBS and bool(NOT_STOPPING & set(before[max(0, at - 5):at]))


def undone(words: Sequence[str]) -> bool:
    """Whether a clause's last stop verb is negated ("don't stop", "never stopped")."""
    verbs = [w for w in words if w in STOP_VERBS]
    return bool(verbs) and _undone(words, verbs[-1])


def cue_after(after: Sequence[str], cues: Mapping[str, Stance]) -> Stance | None:
    """The stance the words after a name give it, None if none is its own.

    Words of :data:`AS_BEFORE` (had), one of :data:`AFTER_WORDS` just after it (fillers
    between: "digoxin was stopped"), else a
    result among ``cues`` ("pregnancy test came back positive"); "side effects" after it is
    had (:func:`plain_stop`'s caller: "no digoxin side effects", /tmp/w52/e2 R9).
    """
    said = [w for w in after if w not in FILLER_WORDS and not number(w)]
    if tuple(said[:2]) in AS_BEFORE or tuple(after[:1]) in AS_BEFORE:
        return "has"
    if said[:1] and said[0] in AFTER_WORDS:
        return cues[said[0]]
    return next((cues[w] for w in after if w in RESULTS.keys() & cues.keys()), None)


def alias_reading(alias: str, after: Sequence[str]) -> tuple[Reading, str]:
    """How a verb alias reads with the words after it in its clause, and its kin object.

    The kin object: the word of :data:`KIN_WORDS` that decided ("" if none). The object:
    the words up to one of :data:`NO_OBJECT`, less :data:`BEFORE_OBJECT` and numbers. A baby
    or an age (:data:`BABY_WORDS`, :data:`AGES`) names its condition, else a word of
    :data:`NOT_BABY` nothing, else one of :data:`KIN_WORDS` its condition; no object names
    it, unless the phrase after holds a word of :data:`WORK_WORDS` ("nursing on nights":
    unsure); any other object is ``unsure`` (said, never silence: /tmp/w51/c C1).
    """
    if after[:1] and after[0] in VERB_ALIASES[alias]:
        return "nothing", ""
    cut = next((k for k, w in enumerate(after) if w in NO_OBJECT), len(after))
    words = [w for w in after[:cut] if w not in BEFORE_OBJECT and not number(w)]
    aged = any(number(a) and b in AGES for a, b in pairwise(after[:cut]))
    kin = next((w for w in words if w in KIN_WORDS), "")
    if aged or BABY_WORDS & set(words):
        return "names", ""
    if NOT_BABY & set(words):
        return "nothing", ""
    if words and set(words) <= OFTEN_WORDS:
        return "names", ""
    if kin or not words:
        phrase = after[cut + 1:]
        phrase = phrase[:next((k for k, w in enumerate(phrase) if w in NO_OBJECT), len(phrase))]
        return ("unsure" if not kin and WORK_WORDS & set(phrase) else "names"), kin
    return "unsure", ""


def straight(text: str) -> str:
    """``text`` with its curly apostrophes straight ("I’m 16": /tmp/w52/e3 F10)."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def clauses(text: str) -> list[tuple[str, bool]]:
    """A cell's clauses (:data:`CLAUSE`), each with whether it begins a sentence.

    A curly apostrophe is read as a straight one (:func:`straight`); a newer kidney figure is
    one clause with the figure before it (:data:`KIDNEY_FIGURE`: "GFR 45 last year, 25 now").
    """
    return [(clause, k == 0) for sentence in SENTENCE.split(results_written(straight(text)))
            for k, clause in enumerate(c for c in _joined(sentence) if c and c.strip())]


def _joined(sentence: str) -> list[str]:
    """A sentence's clauses (:data:`CLAUSE`), a newer kidney figure kept with its clause."""
    found, begin = [], 0
    for cut in CLAUSE.finditer(sentence):
        after = sentence[cut.start():].lstrip()
        if not (KIDNEY_FIGURE.search(sentence[begin:cut.start()])
                and (NEWER.match(after) or DATED.match(after))):
            found.append(sentence[begin:cut.start()])
            begin = cut.end()
    return [*found, sentence[begin:]]


def own_words(words: Sequence[str], after: int | None) -> frozenset[str]:
    """The words of :data:`UNSURE_WORDS` that are a baby's condition's own object or subject.

    ``after``: where the clause's first pregnancy or breastfeeding name ends (None: none). A
    baby anywhere ("baby nursing"), a kin word after the name ("pregnant with my son",
    "breastfeeding my son": /tmp/w52/e E9).
    """
    return frozenset() if after is None else BABY_WORDS | (KIN_WORDS & set(words[after:]))


def kidney_figure(text: str) -> float | None:
    """The kidney figure (eGFR) ``text`` gives, None when none: the newest.

    Of two or more with their year, the latest year's (:data:`DATED`); else the last newer one
    (:data:`NEWER`: "GFR 45 last year, now 70" is 70, /tmp/w52/e3 F10, F13); else the lowest.
    """
    values, _ = egfr_written(text)
    word = EGFR_WORD.search(text)
    if word is None:
        return None
    dated = DATED.findall(text) if values else []
    newer = [next(g for g in m.groups() if g) for m in NEWER.finditer(text, word.end())]
    figure = (max(dated, key=lambda pair: pair[1])[0] if len(dated) > 1 else
              newer[-1] if newer else None)
    return float(figure.replace(",", ".")) if figure else min(values) if values else None
