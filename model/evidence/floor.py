"""The safety floor: the package's own ``safety.toml``, which a priors directory may only tighten.

The hard rules are not priors. A researcher's ``--priors DIR`` may change every prior, but its
``safety.toml`` must keep every rule of the bundled file at least as strict:

- ``ceiling.default_mg_per_day`` at most the bundled ceiling;
- every contraindication and caution kept (same id, condition and field), an eGFR threshold
  ``below`` at least the bundled one;
- every interaction group kept with the same rule and kind, and at least its medicines;
- every synonym kept (a custom file may add names, never remove one);
- ``gut_sensitivity`` shifts at least the bundled ones; ``gi_constraint`` ``limit``,
  ``epsilon`` and ``loose_bristol`` at most the bundled ones.

Anything looser is a fault naming the file and the key (:func:`loosened`). More rules, more
names and lower limits are welcome.
"""

from __future__ import annotations

import functools
from pathlib import Path

from model.core.errors import Fault, PriorsError
from model.core.paths import default_priors_dir
from model.evidence.schema import Contraindication, Safety, parse_file


@functools.cache
def _bundled(path: Path) -> Safety:
    safety, faults = parse_file(path, Safety)
    if safety is None:
        raise PriorsError(faults)
    return safety


def bundled_safety() -> Safety:
    """The hard rules of the package's own ``priors/safety.toml`` (the safety floor)."""
    return _bundled(default_priors_dir() / "safety.toml")


def _rule_faults(kind: str, floor: tuple[Contraindication, ...],
                 custom: tuple[Contraindication, ...]) -> list[tuple[str, str]]:
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
    return found


def _interaction_faults(floor: Safety, custom: Safety) -> list[tuple[str, str]]:
    found = []
    groups = {g.group: g for g in custom.interactions}
    for group in floor.interactions:
        key = f"interactions[group={group.group}]"
        mine = groups.get(group.group)
        if mine is None:
            found.append((key, "removed; a priors directory may add groups, not remove them"))
            continue
        missing = sorted(set(group.medications) - set(mine.medications))
        if missing:
            found.append((f"{key}.medications", f"{', '.join(missing)} removed"))
        if (mine.rule, mine.kind) != (group.rule, group.kind):
            found.append((f"{key}.rule", "changed; the rule of the safety floor must be kept "
                          "word for word (add a stricter group instead)"))
    return found


def _synonym_faults(floor: Safety, custom: Safety) -> list[tuple[str, str]]:
    have = {(s.kind, s.name, alias) for s in custom.synonyms for alias in s.aliases}
    found = []
    for entry in floor.synonyms:
        missing = [a for a in entry.aliases if (entry.kind, entry.name, a) not in have]
        if missing:
            found.append((f"synonyms[name={entry.name}].aliases",
                          f"{', '.join(missing)} removed"))
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
                            custom.contraindications)
             + _rule_faults("cautions", base.cautions, custom.cautions)
             + _interaction_faults(base, custom) + _synonym_faults(base, custom))
    return [Fault(str(file), f"key {key}", f"loosens the safety floor: {message}")
            for key, message in found]
