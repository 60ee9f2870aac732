"""The words around a name in a diary's free text: had, stopped, perhaps, or not its condition.

Read by :mod:`model.decision.diary_mentions`, one clause at a time: a cue just before a name
(:data:`CUES`, with only :data:`FILLER_WORDS` between: :func:`cue_before`) or one of
:data:`AFTER_WORDS` just after it says whether it is had or stopped; a test's result
(:data:`RESULTS`) answers a test (:data:`TEST_WORDS`); a word of someone else's or of what is
not so yet (:data:`UNSURE_WORDS`) makes it perhaps, and a wish (:data:`WISH_WORDS`) a
condition after it; a verb alias (:data:`VERB_ALIASES`) names its condition unless its object
is a known other one (:func:`alias_reading`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Literal

Stance = Literal["has", "stopped", "unsure"]
Reading = Literal["names", "nothing", "unsure"]

STOP_WORDS = frozenset({
    "stopped", "stop", "stopping", "stops", "quit", "quitting", "ceased", "discontinued",
    "finished", "ended", "off", "without", "not", "no", "never", "didn", "don", "isn", "wasn",
    "weaned", "ruled", "from", "cancelled", "paused"})
"""Words after which a name is stopped or not so ("no longer on lithium", "off dialysis",
"ruled out heart block", "switched from lithium"): :func:`cue_before`."""

START_WORDS = frozenset({
    "started", "start", "starting", "starts", "began", "begun", "begin", "new", "diagnosed",
    "diagnosis", "taking", "take", "took", "prescribed", "added", "commenced", "restarted",
    "resumed", "back", "to", "got", "have", "has", "now", "confirmed"})
"""Words after which a name is had or begun ("started digoxin", "switched to ..."); a name
with no word before it is had too ("dialysis"), the safer reading."""

TAKING = frozenset({"taking", "take", "took"})
"""Start words that only say taken, which a stop word before them negates ("stopped taking
digoxin", "no longer taking"), but not one of :data:`MISSED`."""

MISSED = frozenset({"not", "didn", "don"})
"""Stop words that before a word of :data:`TAKING` may say a dose missed ("didn't take
digoxin last night", "not taking it tonight"), not a medicine stopped: it stays had, the safer
reading (a later such mention would otherwise undo an earlier "started digoxin")."""

CUES: dict[str, Stance] = {**dict.fromkeys(START_WORDS, "has"),
                           **dict.fromkeys(STOP_WORDS, "stopped")}

AFTER_WORDS = frozenset({"started", "began", "begun", "commenced", "prescribed", "diagnosed",
                         "stopped", "ended", "finished", "discontinued", "ceased", "confirmed",
                         "ruled"})
"""The words that say so after a name too ("dialysis started", "pregnancy ruled out")."""

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
    "anymore", "more", "up", "all", "dose", "doses", "daily", "mg", "mcg", "ug", "g", "ml"})
"""The words that may stand between a cue and its name ("no longer pregnant", "stopped my
lithium", "started 125 mcg digoxin", "digoxin was stopped"); any other word between ("stopped
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
    "day", "week", "weekend", "worst", "much", "too", "sleep"})            # awaited
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
    "appointment"})
"""Words of someone else's ("partner started lithium") or of what is not so yet ("maybe",
"GP to discuss dialysis", a "?"): the name is said, not screened; a test is so without a
result (:data:`TEST_WORDS`), a condition after a wish (:data:`WISH_WORDS`)."""

WISH_WORDS = frozenset({"trying", "hoping", "hope", "want", "wanting", "wants"})
"""A wish when "to" or "for" follows ("trying to get pregnant"): a condition after it is not
so yet; a medicine after it is taken (/tmp/w51/c C5: "trying to taper lithium" is taking it,
and "want to start lithium" read as taken is the safe side); "trying lithium" is taking it."""


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


def cue_before(before: Sequence[str], cues: Mapping[str, Stance]) -> Stance | None:
    """The stance the cues just before a name give it, None if none is its own.

    ``before``: the clause's words before the name. Back over :data:`FILLER_WORDS`, numbers
    and cues, the nearest cue decides, but one of :data:`TAKING` yields to a stop word before
    it ("stopped taking digoxin"; not one of :data:`MISSED`); another word first ("stopped
    coffee since pregnant") ends the search.
    """
    run: list[str] = []
    for word in reversed(before):
        if word in cues:
            run.append(word)
        elif word not in FILLER_WORDS and not number(word):
            break
    if not run:
        return None
    stops = [w for w in run[1:] if cues[w] == "stopped" and w not in MISSED]
    return "stopped" if run[0] in TAKING and stops else cues[run[0]]


def cue_after(after: Sequence[str], cues: Mapping[str, Stance]) -> Stance | None:
    """The stance the words after a name give it, None if none is its own.

    One of :data:`AFTER_WORDS` just after it (fillers between: "digoxin was stopped"), else a
    result among ``cues`` ("pregnancy test came back positive").
    """
    following = next((w for w in after if w not in FILLER_WORDS and not number(w)), "")
    if following in AFTER_WORDS:
        return cues[following]
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
    if kin or not words:
        phrase = after[cut + 1:]
        phrase = phrase[:next((k for k, w in enumerate(phrase) if w in NO_OBJECT), len(phrase))]
        return ("unsure" if not kin and WORK_WORDS & set(phrase) else "names"), kin
    return "unsure", ""
