"""The pot code a blinded diary's ``notes`` carry, and those notes without it.

``mgsleep plan --blind`` writes ``code A (plan 3f9a1c2e)`` at the start of each pot night's
``notes``; ``mgsleep unblind`` reads it back. A person's own words after it are read as any
note is (:func:`untagged`): the tag's "plan" made a pregnancy written on a pot night read as
"only a plan", not applied (an outside audit, /tmp/w53/c C1).
"""

from __future__ import annotations

import re

_TAGGED = r"(?=.*\((?i:plan)\s+[0-9a-zA-Z]+\))"
CODE_NOTE = re.compile(rf"^\s*(?:code|{_TAGGED}(?i:code))\s+([A-Z]|{_TAGGED}[a-z])\b")
"""The pot code a blinded diary carries at the start of ``notes`` (``code A``; written by
``mgsleep plan --blind``, read by ``mgsleep unblind``): ``code`` and one capital letter (the
plan's codes, A, B, ...), or in any case on a note with the plan's tag (``Code b (plan
3f9a1c2e)``, typed by hand), so that ``Code red``, ``code RED at work`` (refused as blinded,
an outside audit) or ``code until 2am`` in an open diary is no pot. The letter is the code."""

PLAN_TAG = re.compile(r"\(plan\s+([0-9a-z]+)\)", re.IGNORECASE)
"""The plan tag after a pot code in ``notes`` (``code A (plan 3f9a1c2e)``)."""


def untagged(note: str) -> str:
    """``note`` without the pot code and plan tag at its start (:data:`CODE_NOTE`)."""
    code = CODE_NOTE.match(note)
    if code is None:
        return note
    rest = note[code.end():].lstrip()
    tag = PLAN_TAG.match(rest)
    return (rest[tag.end():] if tag else rest).lstrip(" :;,-")
