"""How the profile's names that cross kinds or miss a known name get rules (:func:`crossed`).

A name unknown under its key but known under the other (digoxin listed as a condition,
:func:`crossed`), a medicine that stands for a condition too (pyridostigmine,
:func:`implied`), and the near misses' entries (:func:`taken_as`), for
:func:`model.decision.screening.screen`.
"""

from __future__ import annotations

from collections.abc import Mapping

from model.evidence.name_words import listed
from model.evidence.names import Kind, NameIndex
from model.evidence.schema import Safety

Matched = dict[str, str | None]
"""Each name as the profile gives it -> the safety data's name for it (None: unknown)."""


def crossed(matched: Matched, names: NameIndex, kind: Kind) -> Matched:
    """Names unknown as listed that are known under the other key (digoxin as a condition).

    Accepted with ``--allow-unknown`` they stay NOT CHECKED, but their rules apply too.
    """
    return {given: names.match(given, kind) for given, known in matched.items()
            if known is None and names.match(given, kind) is not None}


def implied(medicines: Matched, names: NameIndex) -> list[str | None]:
    """The conditions the profile's known medicines stand for as well (a GP's audit).

    A medicine whose name is also a condition's (pyridostigmine, which treats only myasthenia
    gravis) brings that condition's rules, as a name listed under the other key does
    (:func:`crossed`): "pyridostigmine" was taken as pyridoxine, and no rule referred.
    """
    return [names.match(medicine, "condition") for medicine in medicines.values() if medicine]


def taken_as(near: Mapping[str, tuple[str, ...]], safety: Safety) -> dict[str, str]:
    """Entries for the near misses' rules: one per unknown name and interaction group.

    The label names what the name was taken as within the group (``bisphosphonates (not in
    the safety data; taken as alendronate, risedronate, ibandronate or etidronate)``): a
    class's members share their group's rule, said once.
    """
    entries = {}
    for given, meant in near.items():
        for group in safety.interactions:
            inside = [m for m in meant if m in group.medications]
            if inside:
                said = listed(inside, "or", quoted=False)
                entries[f"{given} (not in the safety data; taken as {said})"] = inside[0]
    return entries
