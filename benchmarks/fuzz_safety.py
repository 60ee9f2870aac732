"""Fuzz the hard rules: random profile x history x posterior cases, and loosened priors dirs.

Issue 18: prints the number of cases and of violations (the target is 0). No MCMC: the
posteriors are :class:`model.testing.FakePosterior` draws, some with NaN or infinite values.

A case is a random profile (eGFR, pregnancy, conditions and medicines written as people write
them: synonyms, brands, salts, odd case and punctuation, typos and unknown names), a random
current regimen and evaluation history, and a random fake posterior. The expected answers
come from this script's own tables (written from issue 18 and the safety data's sources),
not from the package's matching. A violation is any of:

- a contraindicated profile (by name, synonym, eGFR < 30 or pregnancy) not answered ``refer``,
  or ``refer`` carrying a form or a dose;
- a recommended dose above the ceiling (the profile's, at most 350 mg/day) or of an excluded
  form; more than one change at a time;
- an interacting medicine (any of its names) whose timing rule is missing from the warnings;
- an unknown condition or medicine accepted silently (no error, and with ``allow_unknown``
  no "NOT CHECKED" warning);
- non-finite draws that yield a dosing recommendation (they must fail the fit's checks:
  ``collect_more_data``); a failed fit that yields one;
- a JSON that cannot be written (NaN in the output);
- a custom priors directory that loosens ``safety.toml`` and still loads.

    .venv/bin/python benchmarks/fuzz_safety.py [--cases N] [--dirs N] [--seed N]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import shutil
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

from model.analysis.pipeline import checked_decision
from model.core.errors import InputError, PriorsError
from model.core.forms import FORMS
from model.core.paths import default_priors_dir
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile, ProfileWarning, load_profile
from model.decision import History
from model.evidence.priorset import PriorSet, load_priors
from model.inference.diagnostics import Diagnostics
from model.testing import FakePosterior

AS_OF = dt.date(2026, 6, 1)
CEILING = 350.0

REFER_NAMES = [
    "severe_renal_impairment", "chronic kidney disease", "ckd", "dialysis", "renal failure",
    "kidney failure", "esrd", "haemodialysis", "heart_block", "heart block",
    "second degree heart block", "av block", "complete heart block", "myasthenia",
    "myasthenia gravis", "bowel obstruction", "intestinal obstruction", "ileus", "pregnancy",
    "pregnant"]
"""Conditions that must answer ``refer`` (issue 18 item 5 and the SmPCs)."""

HARMLESS_CONDITIONS = ["insomnia", "anxiety", "migraine", "hypertension", "asthma"]

MEDICINE_RULES = {
    "levothyroxine": "at least 4 h apart", "levothyroxine sodium": "at least 4 h apart",
    "synthroid": "at least 4 h apart", "levoxyl": "at least 4 h apart",
    "euthyrox": "at least 4 h apart", "ciprofloxacin": "2 h before or 6 h after",
    "cipro": "2 h before or 6 h after", "ciprofloxacin hydrochloride": "2 h before or 6 h after",
    "levaquin": "2 h before or 2 h after", "doxycycline": "at least 3 h apart",
    "doxycycline hyclate": "at least 3 h apart", "vibramycin": "at least 3 h apart",
    "minocycline": "at least 3 h apart", "alendronate": "by 3-4 h",
    "alendronic acid": "by 3-4 h", "fosamax": "by 3-4 h", "alendronate sodium": "by 3-4 h",
    "gabapentin": "2 h after magnesium", "neurontin": "2 h after magnesium",
    "omeprazole": "long-term PPI use", "nexium": "long-term PPI use",
    "esomeprazole magnesium": "long-term PPI use", "furosemide": "increase magnesium losses",
    "lasix": "increase magnesium losses", "digoxin": "low magnesium raises digoxin",
    "ferrous sulfate": "by 3-4 h", "ferrous fumarate": "by 3-4 h"}
"""Medicines (any of their names) and a fragment of the timing rule that must be shown."""

UNKNOWN_NAMES = ["levothyroxin", "ciprofloxacine", "sertraline", "grandma's tea", "kidny",
                 "heart_blok", "lupus", "xyzzy"]
NEAR_MISS = "heart_blok"
"""The unknown name within a typo of a contraindication: as a condition, it refers."""
HOLD_RULE = "low magnesium raises digoxin"
"""Digoxin's rule: magnesium is not changed without the prescriber, a referral (hold)."""


def _spell(rng: np.random.Generator, name: str) -> str:
    """The same name as a person might type it: case, hyphens, spaces, a dose."""
    choice = int(rng.integers(5))
    if choice == 1:
        return name.upper()
    if choice == 2:
        return name.title().replace(" ", "-")
    if choice == 3:
        return f"  {name.replace('_', ' ')} "
    if choice == 4 and name in MEDICINE_RULES:
        return f"{name} {int(rng.choice([25, 50, 100, 500]))} mg"
    return name


@dataclasses.dataclass
class Case:
    """One random profile x history x posterior case."""

    conditions: list[tuple[str, bool]]
    """(as written, must refer)"""
    medicines: list[tuple[str, str]]
    """(as written, a fragment of its rule)"""
    unknown: list[str]
    egfr: float | None
    pregnant: bool
    excluded: tuple[str, ...]
    max_mg: float | None
    past: History | None
    posterior: FakePosterior
    non_finite: str | None
    diagnostics_ok: bool


def _history(rng: np.random.Generator) -> History | None:
    if rng.random() < 0.15:
        return None
    form = str(rng.choice([*FORMS, "none"]))
    mg = float(rng.choice([100, 200, 300, 350, 400, 600]))
    current = NO_MAGNESIUM if form == "none" else Regimen(form, mg, bool(rng.random() < .3))
    tried = frozenset(rng.choice(FORMS, size=int(rng.integers(0, 3)), replace=False).tolist())
    return History(current, int(rng.integers(0, 60)), tried | ({form} - {"none"}),
                   int(rng.integers(0, 8)))


def random_case(rng: np.random.Generator) -> Case:
    """Draw one case."""
    def pick(pool: list[str], p: float) -> list[str]:
        return [str(n) for n in pool if rng.random() < p]

    posterior = FakePosterior(
        n_draws=120, seed=int(rng.integers(1 << 30)),
        benefit={f: float(rng.normal(0.1, 0.3)) for f in FORMS},
        gi={f: float(rng.normal(0.5, 1.5)) for f in FORMS}, gi_sd=float(rng.uniform(0.1, 2)),
        harm_benefit_corr=float(rng.uniform(-0.9, 0.9)))
    return Case(
        conditions=[(_spell(rng, n), True) for n in pick(REFER_NAMES, 0.015)]
        + [(_spell(rng, n), False) for n in pick(HARMLESS_CONDITIONS, 0.1)],
        medicines=[(_spell(rng, n), MEDICINE_RULES[n]) for n in pick(list(MEDICINE_RULES), .04)],
        unknown=pick(UNKNOWN_NAMES, 0.02),
        egfr=None if rng.random() < 0.5 else float(rng.uniform(5, 120)),
        pregnant=bool(rng.random() < 0.05),
        excluded=tuple(rng.choice(FORMS, size=int(rng.integers(0, 4)), replace=False).tolist()),
        max_mg=None if rng.random() < 0.5 else float(rng.choice([0, 100, 200, 300, 500, 2000])),
        past=_history(rng), posterior=posterior,
        non_finite=None if rng.random() < 0.7 else str(rng.choice(["nan", "inf", "-inf"])),
        diagnostics_ok=bool(rng.random() < 0.9))


def _poisoned(case: Case, rng: np.random.Generator):
    """The case's predict(), with a random share of NaN/inf draws in a random variable."""
    if case.non_finite is None:
        return case.posterior
    share, value = float(rng.uniform(0.001, 0.9)), float(case.non_finite)
    variable = str(rng.choice(["gi_rate", "sol_min", "quality"]))

    def predict(regimens):
        data = case.posterior(regimens)
        values = data[variable].values.copy()
        values[rng.random(values.shape) < share] = value
        return data.assign({variable: (("regimen", "draw"), values)})
    return predict


@dataclasses.dataclass
class _Fit:
    """The parts of a fitted model that :func:`checked_decision` reads."""

    draws_: dict
    diagnostics_: Diagnostics
    predict: object


def _profile(case: Case, priors: PriorSet, folder: Path) -> tuple[Profile | None, list[str]]:
    """Load the case's profile file; check that unknown names are never silent."""
    path = folder / "profile.toml"
    lines = [f"conditions = {json.dumps([c for c, _ in case.conditions] + case.unknown[:1])}",
             f"medications = {json.dumps([m for m, _ in case.medicines] + case.unknown[1:])}",
             f"pregnant = {'true' if case.pregnant else 'false'}",
             f"excluded_forms = {json.dumps(list(case.excluded))}"]
    lines += [f"egfr = {case.egfr}"] if case.egfr is not None else []
    lines += [f"max_elemental_mg = {case.max_mg}"] if case.max_mg is not None else []
    path.write_text("\n".join(lines) + "\n")
    problems = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ProfileWarning)
            load_profile(path, safety=priors.safety)
        if case.unknown:
            problems.append("unknown name accepted without --allow-unknown")
    except InputError:
        if not case.unknown:
            problems.append("a known profile was refused")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProfileWarning)
        return load_profile(path, safety=priors.safety, allow_unknown=True), problems


def _n_changes(current: Regimen, new: Regimen) -> int:
    """Changes from ``current`` to ``new``: starting or stopping is one; else form, dose, split."""
    if not (current.active and new.active):
        return int(current.active != new.active)
    fields = ("form", "elemental_mg", "split")
    return sum(getattr(current, f) != getattr(new, f) for f in fields)


def check_case(case: Case, priors: PriorSet, folder: Path,
               rng: np.random.Generator) -> tuple[list[str], str]:
    """Every violation of the hard rules in one case, and the action recommended."""
    profile, problems = _profile(case, priors, folder)
    assert profile is not None
    fit = _Fit({"theta": np.zeros(3)}, Diagnostics(case.diagnostics_ok, 1.0, 1e3, 0),
               _poisoned(case, rng))
    decision = checked_decision(fit, priors, profile, case.past, AS_OF, 0)
    rec = decision.recommendation
    json.dumps(decision.to_dict(), allow_nan=False)
    text = "\n".join((*rec.warnings, *rec.reasons))   # a referral gives its rule as a reason
    refer = any(must for _, must in case.conditions) or case.pregnant or \
        (case.egfr is not None and case.egfr < 30) or \
        case.unknown[:1] == [NEAR_MISS] or \
        any(rule == HOLD_RULE for _, rule in case.medicines)
    if refer != (rec.action == "refer"):
        problems.append(f"refer expected {refer}, got {rec.action}")
    if rec.action == "refer" and rec.regimen is not None:
        problems.append("refer with a regimen")
    ceiling = min(CEILING, case.max_mg if case.max_mg is not None else CEILING)
    regimen = rec.regimen
    if regimen is not None and regimen.active and rec.action != "refer":
        if regimen.elemental_mg > ceiling:
            problems.append(f"{regimen.elemental_mg} mg above the ceiling {ceiling}")
        if regimen.form in case.excluded:
            problems.append(f"excluded form {regimen.form}")
        if case.past is not None and _n_changes(case.past.current, regimen) > 1:
            problems.append("more than one change")
    dosing = rec.action not in ("refer", "collect_more_data")
    if (case.non_finite or not case.diagnostics_ok) and (dosing or regimen is not None) \
            and rec.action != "refer":
        problems.append(f"{rec.action} from a failed or non-finite fit")
    for medicine, rule in case.medicines:
        if rule not in text:
            problems.append(f"no timing rule for {medicine!r}")
    for name in case.unknown:
        if "NOT CHECKED" not in text:
            problems.append(f"unknown {name!r} silent")
    return problems, rec.action


LOOSENINGS = [
    ("default_mg_per_day = 350", "default_mg_per_day = {big}"), ("below = 30.0", "below = nan"),
    ("below = 30.0", "below = {low}"), ("below = 30.0", "below = inf"),
    ("limit = 0.10", "limit = 0.{hi}"), ("epsilon = 0.20", "epsilon = 0.{hi}"),
    ("ibs = 0.9", "ibs = 0.{lo}"), ('"doxycycline", ', ""), ('"cipro", ', ""),
    ("default_mg_per_day = 350", "default_mg_per_day = nan"), ("loose_bristol = 6",
                                                               "loose_bristol = 7"),
    ('rule = "take levothyroxine at least 4 h apart from magnesium"', 'rule = "any time"'),
]


def check_dirs(n: int, rng: np.random.Generator, folder: Path) -> tuple[int, list[str]]:
    """Copies of the priors with random loosenings of safety.toml: each must be refused."""
    source = (default_priors_dir() / "safety.toml").read_text()
    target = folder / "priors"
    shutil.copytree(default_priors_dir(), target)
    problems = []
    for _ in range(n):
        edits = rng.choice(len(LOOSENINGS), size=int(rng.integers(1, 4)), replace=False)
        text = source
        for index in edits:
            old, new = LOOSENINGS[index]
            text = text.replace(old, new.format(big=int(rng.integers(351, 5000)),
                                                low=int(rng.integers(0, 30)),
                                                hi=int(rng.integers(21, 99)),
                                                lo=int(rng.integers(0, 9))), 1)
        (target / "safety.toml").write_text(text)
        try:
            load_priors(target)
            problems.append(f"loosened safety.toml loaded (edits {sorted(edits.tolist())})")
        except PriorsError:
            pass
    return n, problems


def main() -> None:
    """Run the fuzzer and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--dirs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    priors = load_priors()
    start = time.perf_counter()
    kinds: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    violations: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(args.cases):
            case = random_case(rng)
            kinds.update(k for k, on in (
                ("non-finite draws", case.non_finite), ("failed fit", not case.diagnostics_ok),
                ("refer by name", any(m for _, m in case.conditions)),
                ("medicines", case.medicines), ("unknown names", case.unknown)) if on)
            found, action = check_case(case, priors, Path(tmp), rng)
            actions[action] += 1
            violations += [f"case {index}: {p}" for p in found]
        n_dirs, dir_problems = check_dirs(args.dirs, rng, Path(tmp))
    violations += dir_problems
    print(f"{args.cases} decision cases ({dict(kinds)}), {n_dirs} loosened priors dirs, "
          f"{time.perf_counter() - start:.0f} s")
    print(f"actions: {dict(actions.most_common())}")
    for line in violations[:20]:
        print("  " + line)
    print(f"violations: {len(violations)}")


if __name__ == "__main__":
    main()
