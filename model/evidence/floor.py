"""The safety floor: the package's own ``safety.toml``, which a priors directory may only tighten.

The hard rules are not priors. A researcher's ``--priors DIR`` may change every prior, but its
``safety.toml`` must keep every rule of the bundled file at least as strict:

- ``ceiling.default_mg_per_day`` at most the bundled ceiling;
- every contraindication and caution kept (same id, condition and field), an eGFR threshold
  ``below`` at least the bundled one, its ``kind`` as strict (a ``refer`` never a
  ``clinician`` hold), its implied ``gut_sensitivity`` at least the bundled one and its
  ``ceiling_mg`` at most the bundled one;
- every interaction group kept with the same rule and kind, and at least its medicines;
- every class of medicines kept with its aliases and members (more welcome), and a new class
  named like a medicine of the floor must hold it (:func:`_class_faults`);
- every synonym kept (a custom file may add names, never remove one), and every name the floor
  knows standing for the same condition or medicine as there; a new name close to one that
  stands for a rule (a contraindication, a caution, an interacting medicine) must stand for
  the same (:func:`_name_faults`: else "CKD stage 4b", declared a harmless condition next to
  ``ckd_stage_4``, would silence the "did you mean" that the floor gives it);
- ``gut_sensitivity`` shifts at least the bundled ones; ``gi_constraint`` ``limit``,
  ``epsilon`` and ``loose_bristol`` at most the bundled ones;
- in ``groups.toml``, each form's share of those shifts (its group's
  ``gut_sensitivity_factor``, 1 without a group) times the shift at least the bundled
  product (:func:`gut_shift_faults`: a factor of 0 gave a person with IBS the GI prior of
  anyone).

Anything looser is a fault naming the file and the key (:func:`loosened`). More rules, more
names and lower limits are welcome.
"""

from __future__ import annotations

import difflib
import functools
import math
from pathlib import Path
from typing import Literal

from model.core.errors import Fault, PriorsError
from model.core.forms import FORMS
from model.core.identity_cache import identity_cache
from model.core.paths import default_priors_dir
from model.evidence.names import NameIndex, name_key
from model.evidence.schema import Contraindication, GroupsFile, Safety, parse_file


@functools.cache
def _bundled(path: Path) -> Safety:
    safety, faults = parse_file(path, Safety)
    if safety is None:
        raise PriorsError(faults)
    return safety


@functools.cache
def _bundled_groups() -> GroupsFile:
    groups, faults = parse_file(default_priors_dir() / "groups.toml", GroupsFile)
    if groups is None:
        raise PriorsError(faults)
    return groups


def gut_shifts(safety: Safety, groups: GroupsFile) -> dict[tuple[str, str], float]:
    """``(level, form) ->`` the GI prior's shift: the level's shift times the group's share."""
    return {(level, form): shift * (g.gut_sensitivity_factor if (g := groups.group_of(form))
                                    else 1.0)
            for level, shift in safety.gut_sensitivity.items() for form in FORMS}


def gut_shift_faults(safety: Safety, groups: GroupsFile, file: str | Path) -> list[Fault]:
    """Faults of ``groups.toml`` giving a form less of a sensitive gut's GI shift than the floor.

    The product of a level's shift and the form's group factor must be at least the bundled
    product. ``safety`` is the directory's own: a shift it lowers below the floor is its own
    fault (:func:`loosened`, naming ``safety.toml``), so the products are taken at its shifts
    raised to the floor's at least, and only what ``groups.toml`` itself loosens is named (a
    ``safety.toml`` with ``ibs = 0.0`` was also blamed on a ``groups[glycinate]`` that names
    no group). One fault per key and level, by the group's name (:func:`_group_key`).
    """
    floor_safety, floor_groups = bundled_safety(), _bundled_groups()
    held = safety.model_copy(update={"gut_sensitivity": {
        level: max(shift, safety.gut_sensitivity.get(level, shift))
        for level, shift in floor_safety.gut_sensitivity.items()}})
    floor, mine = gut_shifts(floor_safety, floor_groups), gut_shifts(held, groups)
    below: dict[tuple[str, str, float, float], list[str]] = {}
    for (level, form), shift in floor.items():
        if mine[level, form] < shift - 1e-12:
            key = _group_key(form, groups, floor_groups)
            below.setdefault((key, level, mine[level, form], shift), []).append(form)
    return [Fault(str(file), f"key {key}", f"loosens the safety floor: a {level!r} gut shifts "
                  f"the GI prior of {', '.join(forms)} by {given:g}, below the floor's "
                  f"{shift:g}")
            for (key, level, given, shift), forms in below.items()]


def _group_key(form: str, groups: GroupsFile, floor_groups: GroupsFile) -> str:
    """The key of ``groups.toml`` that sets ``form``'s share of a sensitive gut's shift.

    Its group's ``gut_sensitivity_factor`` when the form is in the group of the floor's name;
    else the ``forms`` of the group it was moved into, or taken out of.
    """
    mine, floor = groups.group_of(form), floor_groups.group_of(form)
    if mine is not None and floor is not None and mine.name == floor.name:
        return f"groups[name={mine.name}].gut_sensitivity_factor"
    moved = mine or floor
    assert moved is not None  # a form in no group either way has the floor's share, 1
    return f"groups[name={moved.name}].forms"


def bundled_safety() -> Safety:
    """The hard rules of the package's own ``priors/safety.toml`` (the safety floor)."""
    return _bundled(default_priors_dir() / "safety.toml")


def _rule_faults(kind: str, floor: tuple[Contraindication, ...],
                 custom: tuple[Contraindication, ...],
                 shift: dict[Literal["none", "mild", "ibs"], float]
                 ) -> list[tuple[str, str]]:
    """The floor's rules removed or made weaker in ``custom``.

    ``shift``: the floor's gut-sensitivity shifts, which order the levels a caution may imply.
    """
    found = []
    by_id = {c.id: c for c in custom}
    for rule in floor:
        key = f"{kind}[id={rule.id}]"
        mine = by_id.get(rule.id)
        if mine is None:
            found.append((key, "removed; a priors directory may add rules, not remove them"))
        elif (mine.condition, mine.field) != (rule.condition, rule.field):
            found.append((key, f"condition/field changed from {rule.condition or rule.field!r}"))
        elif rule.below is not None and not (mine.below is not None and mine.below >= rule.below):
            found.append((f"{key}.below", f"{mine.below} is below the safety floor "
                          f"({rule.below:g}); it may only be raised"))
        elif _KIND_STRICTNESS[mine.kind] < _KIND_STRICTNESS[rule.kind]:
            found.append((f"{key}.kind", f"{mine.kind!r} is weaker than the safety floor's "
                          f"{rule.kind!r} (a referral that stops magnesium would become a hold "
                          "that keeps it)"))
        elif shift[mine.gut_sensitivity or "none"] < shift[rule.gut_sensitivity or "none"]:
            found.append((f"{key}.gut_sensitivity", f"{mine.gut_sensitivity!r} is below the "
                          f"safety floor's {rule.gut_sensitivity!r}; it may only be raised"))
        elif rule.ceiling_mg is not None and (mine.ceiling_mg or math.inf) > rule.ceiling_mg:
            found.append((f"{key}.ceiling_mg", f"{mine.ceiling_mg} is above the safety floor "
                          f"({rule.ceiling_mg:g} mg/day); it may only be lowered"))
    return found


_KIND_STRICTNESS = {"clinician": 0, "refer": 1}
"""How strict a rule's ``kind`` is: a hold (keep the routine, see the clinician) is weaker than
a referral (stop magnesium now, when taking it)."""


def _missing(key: str, what: str, floor: object, mine: object | None,
             fields: tuple[str, ...]) -> list[tuple[str, str]]:
    """A floor entry removed (``mine`` None), or the items of its ``fields`` it lost."""
    if mine is None:
        return [(key, f"removed; a priors directory may add {what}, not remove them")]
    lost = {f: sorted(set(getattr(floor, f)) - set(getattr(mine, f))) for f in fields}
    return [(f"{key}.{f}", f"{', '.join(items)} removed") for f, items in lost.items() if items]


def _interaction_faults(floor: Safety, custom: Safety) -> list[tuple[str, str]]:
    found = []
    groups = {g.group: g for g in custom.interactions}
    for group in floor.interactions:
        key = f"interactions[group={group.group}]"
        mine = groups.get(group.group)
        found += _missing(key, "groups", group, mine, ("medications",))
        if mine is not None and (mine.rule, mine.kind) != (group.rule, group.kind):
            found.append((f"{key}.rule", "changed; the rule of the safety floor must be kept "
                          "word for word (add a stricter group instead)"))
    return found


def _synonym_faults(floor: Safety, custom: Safety) -> list[tuple[str, str]]:
    have = {(s.kind, s.name, alias) for s in custom.synonyms for alias in s.aliases}
    whole = {(s.kind, s.name, alias) for s in custom.synonyms for alias in s.whole_only}
    found = []
    for entry in floor.synonyms:
        missing = [a for a in entry.aliases if (entry.kind, entry.name, a) not in have]
        if missing:
            found.append((f"synonyms[name={entry.name}].aliases",
                          f"{', '.join(missing)} removed"))
        looser = [a for a in entry.aliases if (entry.kind, entry.name, a) in whole
                  and a not in entry.whole_only]
        if looser:
            found.append((f"synonyms[name={entry.name}].whole_only", f"{', '.join(looser)} "
                          "found only as a whole entry; the safety floor finds them inside "
                          "longer names too"))
    return found


def _strictness(safety: Safety, condition: str) -> int:
    """2 for a contraindication, 1 for a caution, 0 for a condition with no rule."""
    key = name_key(condition)
    for level, rules in ((2, safety.contraindications), (1, safety.cautions)):
        if any(r.condition and name_key(r.condition) == key for r in rules):
            return level
    return 0


def _name_faults(floor: Safety, custom: Safety) -> list[tuple[str, str]]:
    """Names the custom rules resolve otherwise than the floor, or add next to a rule's name.

    A new name within a typo of a name that stands for a rule (for which the floor would say
    "did you mean") must stand for the same medicine, or for a condition with a rule at least
    as strict. A name dropped altogether is :func:`_synonym_faults`' (or :func:`_rule_faults`')
    to report.
    """
    before, after = NameIndex.of(floor), NameIndex.of(custom)
    recognised = {name_key(n) for n in custom.recognised.conditions}
    found = []
    for kind, old, new in (("condition", before.conditions, after.conditions),
                           ("medicine", before.medicines, after.medicines)):
        for key, meant in old.items():
            if new.get(key) not in (None, meant):
                found.append((f"synonyms[{kind}={key}]", f"{key!r} stands for "
                              f"{new[key]!r} here, for {meant!r} in the safety floor"))
        guarded = [key for key, meant in old.items()
                   if kind == "medicine" or _strictness(floor, meant)]
        for key, meant in new.items():
            close = [] if key in old else difflib.get_close_matches(key, guarded, n=1,
                                                                     cutoff=0.75)
            if not close or (old[close[0]] == meant if kind == "medicine" else
                             _strictness(custom, meant) >= _strictness(floor, old[close[0]])):
                continue
            where = ("recognised.conditions" if kind == "condition" and key in recognised
                     else f"synonyms[{kind}={key}]")
            found.append((where, f"the new name {key!r} stands for {meant!r}, but it is close "
                          f"to {close[0]!r}, which stands for {old[close[0]]!r} in the safety "
                          "floor: make it a synonym of that (or of a rule as strict), or name "
                          "it otherwise"))
    return found


def _class_faults(floor: Safety, custom: Safety) -> list[tuple[str, str]]:
    """The floor's classes removed or narrowed, and new classes named like a medicine.

    A new class named like a medicine of the floor must hold it. A class accepted with
    ``--allow-unknown`` is taken as its members (their rules apply), so a class dropped or
    narrowed loses rules, and a class ``digoxine`` holding levothyroxine would take a typo of
    digoxin away from digoxin's hold.
    """
    mine = {c.name: c for c in custom.classes}
    found = []
    for group in floor.classes:
        found += _missing(f"classes[name={group.name}]", "classes", group, mine.get(group.name),
                          ("aliases", "medications"))
    medicines = NameIndex.of(floor).medicines
    known = {name_key(n) for c in floor.classes for n in (c.name, *c.aliases)}
    for group in custom.classes:
        for name in (group.name, *group.aliases):
            key = name_key(name)
            close = [] if key in known else difflib.get_close_matches(key, list(medicines),
                                                                     n=1, cutoff=0.75)
            if close and medicines[close[0]] not in group.medications:
                found.append((f"classes[name={group.name}]", f"the class name {name!r} is "
                              f"close to {close[0]!r}, which stands for "
                              f"{medicines[close[0]]!r} in the safety floor, a medicine the "
                              "class does not hold: name it otherwise"))
    return found


def _limit_faults(floor: Safety, custom: Safety) -> list[tuple[str, str]]:
    found = []
    ceiling, mine = floor.ceiling.default_mg_per_day, custom.ceiling.default_mg_per_day
    if mine > ceiling:
        found.append(("ceiling.default_mg_per_day", f"{mine:g} mg/day is above the safety "
                      f"floor ({ceiling:g} mg/day, {floor.ceiling.source}); it may only be "
                      "lowered"))
    for name in ("limit", "epsilon", "loose_bristol"):
        low, given = getattr(floor.gi_constraint, name), getattr(custom.gi_constraint, name)
        if given > low:
            found.append((f"gi_constraint.{name}", f"{given:g} is above the safety floor "
                          f"({low:g}); it may only be lowered"))
    for level, shift in floor.gut_sensitivity.items():
        given = custom.gut_sensitivity.get(level)
        if given is None or given < shift:
            found.append((f"gut_sensitivity.{level}", f"{given} is below the safety floor "
                          f"({shift:g}); it may only be raised"))
    return found


def loosened(custom: Safety, file: str | Path, floor: Safety | None = None) -> list[Fault]:
    """Every way ``custom`` is less strict than the safety floor, as faults.

    Parameters
    ----------
    custom : Safety
        The rules of a priors directory.
    file : str or Path
        Its ``safety.toml`` (named in each fault).
    floor : Safety, optional
        The floor (default: :func:`bundled_safety`).

    Returns
    -------
    list of Fault
        Empty when ``custom`` is at least as strict everywhere.

    """
    base = floor if floor is not None else bundled_safety()
    found = (_limit_faults(base, custom)
             + _rule_faults("contraindications", base.contraindications,
                            custom.contraindications, base.gut_sensitivity)
             + _rule_faults("cautions", base.cautions, custom.cautions, base.gut_sensitivity)
             + _interaction_faults(base, custom) + _synonym_faults(base, custom)
             + _name_faults(base, custom) + _class_faults(base, custom))
    return [Fault(str(file), f"key {key}", f"loosens the safety floor: {message}")
            for key, message in found]


@identity_cache
def loosened_in_use(safety: Safety) -> tuple[Fault, ...]:
    """:func:`loosened` for the rules a decision applies, checked once per rules object."""
    return tuple(loosened(safety, "<safety rules in use>"))
