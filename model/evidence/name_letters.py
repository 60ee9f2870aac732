"""The words of a written name as the safety data's are keyed: lower case, without accents.

A second outside audit (/tmp/w50/c C1): the diary's "started raltégravir 400 mg" (the French
spelling of the drug, copied from the box) was silence, "Keep your current routine", where
"raltegravir" says "Stop taking magnesium now and see a clinician": only ``a-z`` and digits
made a word, so the ``é`` cut the name into "ralt" and "gravir", neither a name nor within a
typo of one; in the profile "lévothyroxine" was an unknown medicine. :func:`words` folds a
letter to the letter it is written on (Unicode's compatibility decomposition, NFKD, without
its combining marks: ``é`` ``è`` ``ê`` ``ï`` ``ñ`` ``ü`` ``ç`` are ``e e e i n u c``; ``ﬁ`` is
``fi``) and the letters NFKD leaves whole to theirs as English writes them (:data:`FOLDED`:
``ß`` ``ss``, ``æ`` ``ae``, ``œ`` ``oe``, ``ø`` ``o``), before it cuts the text into words;
:func:`model.evidence.names.name_key` keys every name, the safety data's and the person's, by
them, so that an accented name is the name without accents wherever a name is read.
"""

from __future__ import annotations

import re
import unicodedata

FOLDED = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
                        "ð": "d", "þ": "th", "ı": "i"})
"""Lower-case letters without a decomposition, as their letters (``Søren`` is ``soren``)."""

_WORD = re.compile(r"[a-z0-9]+")


def _letters(text: str) -> list[tuple[str, int, int]]:
    """Each letter of ``text`` folded, with the start and end of its character in ``text``.

    A combining mark written after its letter (``e`` then U+0301) is dropped, its place
    given to that letter's end; one character may give two letters (``ß``).
    """
    if text.isascii():
        return [(letter, k, k + 1) for k, letter in enumerate(text.lower())]
    found: list[tuple[str, int, int]] = []
    for k, char in enumerate(text):
        decomposed = unicodedata.normalize("NFKD", char.lower().translate(FOLDED))
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
        if not bare and found and unicodedata.combining(char):
            found[-1] = (*found[-1][:2], k + 1)
        found.extend((letter, k, k + 1) for letter in bare)
    return found


def words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text``, folded (the module's docstring), each with its start and end.

    A word is a run of ``a-z`` and digits after folding; the places are in ``text`` as
    written (``"Raltégravir 400 mg"``: ``("raltegravir", 0, 11)``, ``("400", 12, 15)``).
    """
    letters = _letters(text)
    folded = "".join(letter for letter, _, _ in letters)
    return [(m.group(), letters[m.start()][1], letters[m.end() - 1][2])
            for m in _WORD.finditer(folded)]
