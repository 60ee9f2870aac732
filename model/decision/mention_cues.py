"""The words around a name in a diary's free text: had, stopped, perhaps, or not its condition.

Read by :mod:`model.decision.diary_mentions`, one clause at a time: the nearest cue before a
name (:data:`CUES`) or one of :data:`AFTER_WORDS` after it says whether it is had or stopped;
a test's result (:data:`RESULTS`) answers a test (:data:`TEST_WORDS`); a word of someone
else's or of what is not so yet (:data:`UNSURE_WORDS`, a wish: :data:`WISH_WORDS`) makes it
perhaps; a verb alias (:data:`VERB_ALIASES`) names its condition only alone or with a baby.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Literal

Stance = Literal["has", "stopped", "unsure"]

STOP_WORDS = frozenset({
    "stopped", "stop", "stopping", "stops", "quit", "quitting", "ceased", "discontinued",
    "finished", "ended", "off", "without", "not", "no", "never", "didn", "don", "isn", "wasn",
    "weaned", "ruled", "from", "cancelled", "paused"})
"""Words after which a name is stopped or not so ("no longer on lithium", "off dialysis",
"ruled out heart block", "switched from lithium"): the nearest such or :data:`START_WORDS`
word before the name decides."""

START_WORDS = frozenset({
    "started", "start", "starting", "starts", "began", "begun", "begin", "new", "diagnosed",
    "diagnosis", "taking", "take", "took", "prescribed", "added", "commenced", "restarted",
    "resumed", "back", "to", "got", "have", "has", "now", "confirmed"})
"""Words after which a name is had or begun ("started digoxin", "switched to ..."); a name
with no word before it is had too ("dialysis"), the safer reading."""

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

VERB_ALIASES = frozenset({"expecting", "nursing"})
"""Aliases that are everyday verbs too: in free text one names its condition only with no
object or a baby (/tmp/w51/a F2: "expecting my period" held the advice as a pregnancy)."""

BABY_WORDS = frozenset({"baby", "babies", "twins", "triplets", "newborn", "infant", "boy",
                        "girl", "child"})
"""A verb alias's objects that keep it its condition; in its clause, no one else's."""

BEFORE_OBJECT = frozenset({"a", "an", "the", "my", "our", "your", "her", "his", "their",
                           "another", "first", "second", "third", "new", "little", "again",
                           "still", "now", "already"})
"""Words before a verb alias's object, or in place of one ("expecting our first")."""

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
result (:data:`TEST_WORDS`), a wish before "to" or "for" (:data:`WISH_WORDS`)."""

WISH_WORDS = frozenset({"trying", "hoping", "hope", "want", "wanting", "wants"})
"""A wish when "to" or "for" follows ("trying to get pregnant"), not so yet; "trying lithium"
is taking it (a review: as an unsure word it left lithium's rule unapplied)."""


def wishes(words: Sequence[str]) -> bool:
    """Whether a clause's words hold a wish: a word of :data:`WISH_WORDS` before "to" or "for"."""
    return any(w in WISH_WORDS and after in ("to", "for") for w, after in pairwise(words))
