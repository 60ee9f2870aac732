"""Words of the diary's free text within a typo of a name with a rule, read as that name.

An outside audit (/tmp/w50/b F-10): "started digoxn 125 mcg", "started raltegrvir 400 mg"
and "diagnosed with chronic kidny disease stage 4" in ``other_change`` were silence (no
warning, "Switch to taurate ... to learn") where the correct spellings hold or refer the
advice, and ``mgsleep log`` said nothing either. The product's rule: a safety input it
cannot read is an error or a warning, never silence. :func:`near` reads such a run as the
name it is within a typo of, with the profile's own measure
(:func:`~model.evidence.names.closest_typo`, its "did you mean"), so that
:mod:`model.decision.diary_mentions` screens it as that name (safety first) and says so.

Free text is not a list of names: without a guard, 92 of the 73,445 words of an American
English word list (Debian's ``wamerican``) were within a typo of a name with a rule ("less"
LEMS, "location" lactation, "exporting" expecting). A run of several words is read at the
typo's limits; one word only where the diary says it is taken, begun or stopped
(:func:`edits_allowed`), which leaves one of them bare ("dialyses") and 28 after "started"
("started lanolin" is read as Lanoxin, and its warning says how to put that right).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from model.core.identity_cache import identity_cache
from model.evidence.names import TYPO_EDITS, Kind, NameIndex, closest_typo, typo_edits

NEAR_LETTERS = (5, 7, 9)
"""The fewest letters of a near miss of one word, of one without a cue, and of a medicine's
without a cue but letters jumbled ("lithuim"; "lanolin" is a word, not Lanoxin)."""

NEAR_CUES = frozenset({
    "started", "start", "starting", "starts", "began", "begun", "restarted", "resumed",
    "commenced", "prescribed", "taking", "take", "took", "added", "diagnosed", "diagnosis",
    "stopped", "stop", "stopping", "quit", "ceased", "discontinued", "weaned", "paused",
    "meds", "medication", "medicine", "prescription", "rx"})
"""Words that say a medicine is begun or stopped or a condition found, after which (across
:data:`NEAR_LINKS`) a near miss of one word is read: not the everyday words of
:data:`model.decision.mention_cues.START_WORDS` and ``STOP_WORDS`` ("new location", "to
deepen", "not neurotic" were read as lactation, Depen and Neurontin). "Rx digoxn" was
silence (/tmp/w50/c C2): "rx" says it too."""

ON_CUES = frozenset({"put"})
"""Cues only across an "on": "GP put me on digoxn" was silence (/tmp/w50/c C2), but "put
irons away" and "put lanolin on my lips" are everyday (read as iron and Lanoxin)."""

NOW_ON = ("on", "now")
"""The words around a near miss that say it is taken now ("on digoxn now": /tmp/w50/c C2),
read as after a cue; "on" alone is everyday ("on location", "on holiday")."""

NEAR_LINKS = frozenset({"with", "on", "off", "of", "me", "my", "a", "the"})
"""Words between a cue and a near miss ("diagnosed with", "started me on")."""

Options = Mapping[tuple[Kind, int], Mapping[str, str]]
"""The keys a near miss may be read as, key -> name, by kind and number of words."""


def near(words: Sequence[str], index: NameIndex, options: Options,
         after: Collection[str]) -> list[tuple[int, int, Kind, str, str]]:
    """The runs of ``words`` read as a name of ``options`` they are within a typo of.

    Parameters
    ----------
    words : sequence of str
        A clause's words as :func:`~model.evidence.names.name_key` reads them.
    index : NameIndex
        Every known name: a run that is one as written, or overlaps one ("melatonin",
        "magnesium citrate"), is never a near miss.
    options : mapping
        The names that may be meant (those with a rule), by kind and number of words.
    after : collection of str
        Words that say after a name that it is begun or stopped ("digoxn started").

    Returns
    -------
    list of tuple
        ``(i, j, kind, name, key read as)``, longer names first: a run of as many words as
        the name has, each within a typo of the name's, the whole within a typo of it
        (:func:`~model.evidence.names.closest_typo`), one word only as
        :func:`edits_allowed` says.

    """
    longest = max(size for _, size in options)
    found: list[tuple[int, int, Kind, str, str]] = []
    for (kind, size), keys in sorted(options.items(), key=lambda item: -item[0][1]):
        for i in range(len(words) - size + 1):
            run = "_".join(words[i:i + size])
            most, refuse_cut = edits_allowed(words, i, size, kind, after)
            if not most or any(a < i + size and i < b for a, b, *_ in found):
                continue
            near_keys = [key for key in _by_initials(keys).get(_initials(run), ())
                         if not (refuse_cut and _cut(run, key))]
            close = (_jumbled(run, near_keys) if size == 1 and kind == "medicine"
                     and len(run) < NEAR_LETTERS[2] and not cued(words, i, after)
                     else closest_typo(run, near_keys) or (_jumbled(run, near_keys) if most > 1
                                                           else None))
            if (close is not None and _near_enough(words[i:i + size], close, most)
                    and not _known_around(words, i, i + size, index, longest)):
                found.append((i, i + size, kind, keys[close], close))
    return found


def _jumbled(run: str, options: Sequence[str]) -> str | None:
    """The option of one word that ``run`` holds the letters of, first and last kept ("dixogin")."""
    return next((key for key in options if "_" not in key and len(run) == len(key)
                 and sorted(run) == sorted(key) and run[-1] == key[-1]), None)


def _near_enough(written: Sequence[str], key: str, most: int) -> bool:
    """Whether ``written`` is within ``most`` edits of ``key``, and each of its words of theirs.

    Each word within a typo of its word: "a block" is no "av block".
    """
    joined = "".join(written)
    close = typo_edits(joined, key.replace("_", "")) <= most or bool(_jumbled(joined, [key]))
    return close and all(
        word == own or bool(closest_typo(word, (own,)) or _jumbled(word, [own]))
        for word, own in zip(written, key.split("_"), strict=True))


def _known_around(words: Sequence[str], i: int, j: int, index: NameIndex, longest: int) -> bool:
    """Whether a name known as written overlaps ``words[i:j]`` ("magnesium citrate")."""
    return any(index.match(" ".join(words[a:b]), kind)
               for a in range(max(0, i - longest), j)
               for b in range(max(a, i) + 1, min(len(words), a + longest) + 1)
               for kind in ("condition", "medicine"))


def _initials(key: str) -> str:
    """The first letter of each word of ``key``: a typo keeps each (``closest_typo``)."""
    return "".join(word[:1] for word in key.split("_"))


@identity_cache
def _by_initials(keys: Mapping[str, str]) -> dict[str, list[str]]:
    """``keys`` by their :func:`_initials`, the only ones a run with those may be near."""
    grouped: dict[str, list[str]] = {}
    for key in keys:
        grouped.setdefault(_initials(key), []).append(key)
    return grouped


def edits_allowed(words: Sequence[str], i: int, size: int, kind: Kind,
                  after: Collection[str]) -> tuple[int, bool]:
    """The most edits a near miss ``words[i:i + size]`` may have (0: none), and a flag.

    The flag: whether the name cut short or with another ending is refused (:func:`_cut`).
    Several words: the typo's own (:data:`~model.evidence.names.TYPO_EDITS`; "a block" is no
    AV block: each word within a typo of the name's). One word may be a word of its own
    ("less", "location", "exporting", "restored"): it needs :data:`NEAR_LETTERS` letters and
    is read with the typo's own edits after a cue (:data:`NEAR_CUES`, :data:`ON_CUES`) and
    before a number or with more letters ("started raltgravr 400 mg", "started dixogin"),
    with one when :func:`cued` ("digoxn 125 mcg", "digoxn started", "on digoxn now"); with
    one and more letters without a cue ("pregant", "lithuim": the reader says a medicine's
    so read, not applied), a condition's not cut short nor with another ending
    ("teenagers", "teenaged").
    """
    if size > 1:
        return TYPO_EDITS, False
    if len(words[i]) < NEAR_LETTERS[0]:
        return 0, False
    said, long = cued(words, i, after), len(words[i]) >= NEAR_LETTERS[1]
    if said:
        return (TYPO_EDITS if said == "cue" and (long or _dosed(words, i)) else 1), False
    return int(long), kind == "condition"


def _dosed(words: Sequence[str], i: int) -> bool:
    """Whether a number follows ``words[i]`` ("digoxn 125")."""
    return words[i + 1:i + 2] != [] and words[i + 1][:1].isdigit()


def cued(words: Sequence[str], i: int, after: Collection[str]) -> str:
    """How the words around ``words[i]`` say it is taken, begun or stopped ("" if not).

    "cue": after a cue (:data:`NEAR_CUES`, :data:`ON_CUES`); "near": before a number or a
    word of ``after``, or between :data:`NOW_ON`'s words.
    """
    before = words[max(0, i - 3):i]
    at = next((k for k in reversed(range(len(before))) if before[k] not in NEAR_LINKS), -1)
    cue = before[at] if at >= 0 else ""
    if cue in NEAR_CUES or (cue in ON_CUES and "on" in before[at + 1:]):
        return "cue"
    follows = words[i + 1] if i + 1 < len(words) else ""
    now_on = (words[i - 1] if i else "", follows) == NOW_ON
    return "near" if _dosed(words, i) or follows in after or now_on else ""


def _cut(run: str, key: str) -> bool:
    """Whether ``run`` is ``key`` cut short or with another ending ("teenage", "teenaged").

    Not when it ends as the key does: a letter left out or changed inside ("pregnat", read as
    pregnant as "pregant" was: /tmp/w51/c C4).
    """
    written, name = run.replace("_", ""), key.replace("_", "")
    return written[-1:] != name[-1:] and (written[:-1].startswith(name[:-1])
                                          or name[:-1].startswith(written[:-1]))
