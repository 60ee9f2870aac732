"""How names are said back to a person: a lookup key in words, a list, the NOT CHECKED warning.

The names themselves are matched in :mod:`model.evidence.names`; this module only words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Kind = Literal["condition", "medicine"]
"""What a name stands for: a condition or a medicine."""


def spoken(key: str) -> str:
    """A lookup key as a person writes it (``heart_block``: ``heart block``; the same key)."""
    return key.replace("_", " ")


def listed(names: Sequence[str], last: str, quoted: bool = True) -> str:
    """``'a', 'b' and 'c'``: the names as written (quoted), the last joined by ``last``."""
    shown = [repr(spoken(n)) if quoted else spoken(n) for n in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {last} {shown[-1]}"


def unknown_warning(name: str, kind: Kind, taken_as: tuple[str, ...] = ()) -> str:
    """The warning shown when an unknown name was accepted with ``--allow-unknown``.

    ``taken_as``: the known names it was taken as (a near miss), whose rules do apply.
    """
    if taken_as:
        what = "what you take" if kind == "medicine" else "the condition you have"
        return (f"NOT CHECKED: the {kind} {name!r} is not in mgsleep's safety data; it was "
                f"taken as {listed(taken_as, 'and')}, whose rules apply, but no "
                f"rule was checked for the name as written. Ask a pharmacist or clinician "
                f"whether that is {what}.")
    also = (", and whether it contains magnesium (an antacid, a laxative or another "
            "supplement may), which counts towards your daily limit" if kind == "medicine"
            else "")
    return (f"NOT CHECKED: the {kind} {name!r} is not in mgsleep's safety data; no "
            f"contraindication or interaction rule was checked for it. Ask a pharmacist or "
            f"clinician before taking magnesium with it{also}.")
