"""``mgsleep population``: a series of n-of-1 trials, optionally written back as priors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.cli.options import SEED, bounded_int
from model.core.atomic import check_outputs, write_json
from model.core.errors import Fault, InputError
from model.core.progress import ProgressLine, show_progress
from model.core.provenance import draw_seed, input_entry, provenance

if TYPE_CHECKING:
    from model.data.diary import Diary
    from model.evidence.priorset import PriorSet
    from model.population.hierarchical import PopulationModel

SCHEMA_VERSION = 4
"""Version of the ``population`` JSON the command writes: 3 added ``interval`` (the level of
every ``ci_low``, ``ci_high``) and ``provenance`` to ``PopulationModel.to_json``'s version 2;
4 ``provenance.code_sha256``."""


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep population``."""
    parser = subparsers.add_parser(
        "population", help="fit a series of n-of-1 diaries; write the result back as priors",
        description="Hierarchical fit of many persons' diaries (every *.csv in a directory): "
        "population effect of each form on each outcome and how much people differ. The "
        "per-person stage runs in parallel through Dask with --workers or --scheduler.")
    parser.add_argument("directory", metavar="DIR_OF_DIARIES", help="directory of diary CSVs")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=bounded_int(0, 256), default=0, metavar="N",
                       help="local Dask worker processes (default 0 = serial)")
    group.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler")
    parser.add_argument("--priors", metavar="DIR", help="priors directory (default: bundled)")
    parser.add_argument("--json", metavar="PATH", help="write the JSON result ('-' = stdout)")
    parser.add_argument("--write-priors", metavar="DIR",
                        help="write the population posterior as a new priors directory (an "
                        "existing non-empty one only with --force)")
    parser.add_argument("--force", action="store_true",
                        help="with --write-priors: replace the files mgsleep writes in an "
                        "existing directory (other files are kept)")
    parser.add_argument("--seed", type=SEED, metavar="N", help="random seed, 0 to 2**32-1 "
                        "(default: one drawn, and reported)")
    parser.add_argument("--person-fit", choices=("nuts", "laplace"), default="nuts",
                        help="per-person stage: NUTS draws (default; a few seconds a person) "
                        "or a Laplace approximation at the mode (some 25 times faster, "
                        "but it overstates how much people differ in their expectation "
                        "effect)")
    parser.set_defaults(handler=run)


def check_priors_out(out: str | None, force: bool, inputs: dict[str, str | None]) -> None:
    """Refuse a ``--write-priors`` folder that would lose data, before any fitting.

    The rule of :func:`model.population.writeback.target_problem`: a file; a folder that is,
    contains or lies inside an input folder; a non-empty folder without ``--force``.
    """
    from model.population.writeback import target_problem

    why = target_problem(out, force, inputs) if out else None
    if why:
        raise InputError([Fault("--write-priors", "", f"{out} {why}")])


def check_json_out(out: str | None, diaries: str) -> None:
    """Refuse a ``--json`` file ending in ``.csv`` inside the diaries folder, before any work.

    Every ``*.csv`` there is read as a diary: the next run would fail on it.
    """
    if out and out != "-" and Path(out).suffix.lower() == ".csv" \
            and Path(out).resolve().parent == Path(diaries).resolve():
        raise InputError([Fault("--json", "", f"{out} lies in DIR_OF_DIARIES, whose every "
                                "*.csv is read as a diary")])


def write_priors_into(fit: PopulationModel, out: str) -> None:
    """Write the priors into a new folder beside ``out``, then move them in, file by file.

    Nothing is deleted that mgsleep did not create: in an existing folder only the files of
    a priors directory are replaced (each atomically); other files stay
    (:func:`model.population.writeback.install_priors`).
    """
    from model.population.hierarchical import write_priors
    from model.population.writeback import install_priors, staged_beside

    with staged_beside(out) as staging:
        install_priors(write_priors(fit, staging / "priors"), out)


def counted_twice(priors: PriorSet, directory: str) -> list[str]:
    """A warning when the priors were written by a population fit of this very folder.

    Fitted again on priors made from them, the same nights count twice: a researcher's
    second round on one folder moved the expectation effect from 0.3 to 0.135 to -0.101
    SMD on the same six nights (a population researcher's audit).
    """
    from model.population.writeback import fitted_from

    if not fitted_from(priors.evidence.class_file.notes, directory):
        return []
    return [f"the priors in {priors.evidence.directory} were fitted from the diaries of "
            f"{directory} (class.toml names them): fitted again on them, their nights count "
            "twice and the written priors claim more than the diaries hold; start from the "
            "priors that run started from"]


def population_json(fit: PopulationModel, diaries: list[Diary], priors: PriorSet,
                    seed_drawn: bool) -> dict[str, Any]:
    """The ``population`` JSON (:data:`SCHEMA_VERSION`): the fit's, its level and provenance.

    ``provenance`` (:func:`model.core.provenance.provenance`) adds ``person_fit``, each
    diary's file name and SHA-256 (``diaries``) and the priors' fingerprint with whether they
    are the bundled ones (``priors``).
    """
    from model.core.paths import is_bundled_priors
    from model.inference.samplers import resolve_sampler
    from model.inference.summary import SUMMARY_LEVEL
    from model.personal.store import priors_fingerprint

    record = provenance(seed=int(fit.random_seed or 0), seed_drawn=seed_drawn,
                        sampler=resolve_sampler(None), draws=fit.draws, tune=fit.tune,
                        chains=fit.chains,
                        inputs={"person_fit": fit.person_fit,
                                "diaries": [input_entry(d.source) for d in diaries],
                                "priors": {"fingerprint": priors_fingerprint(priors),
                                           "bundled": is_bundled_priors(
                                               priors.evidence.directory)}})
    return fit.to_json() | {"schema_version": SCHEMA_VERSION, "interval": SUMMARY_LEVEL,
                            "provenance": record}


def run(args: argparse.Namespace) -> int:
    """Fit, print the effects table, write the requested outputs."""
    from model.evidence.priorset import load_priors
    from model.population.hierarchical import PopulationModel, read_diaries, require_converged

    inputs = {"DIR_OF_DIARIES": args.directory, "--priors": args.priors}
    check_outputs({"--json": args.json}, inputs)
    check_json_out(args.json, args.directory)
    check_priors_out(args.write_priors, args.force, inputs)
    priors = load_priors(args.priors)
    diaries = read_diaries(args.directory, priors.evidence.directory)
    notes = [*(w for d in diaries for w in d.warnings), *counted_twice(priors, args.directory)]
    for note in dict.fromkeys(notes):
        print(f"mgsleep population: warning: {note}", file=sys.stderr)
    print(f"mgsleep population: fitting {len(diaries)} diaries "
          f"({sum(d.n_recorded for d in diaries)} nights): each person, then the population",
          file=sys.stderr)
    line = ProgressLine("per-person stage, persons", len(diaries))
    seed = draw_seed() if args.seed is None else args.seed
    fit = PopulationModel(priors, random_seed=seed, workers=args.workers,
                          scheduler=args.scheduler, person_fit=args.person_fit,
                          progress=line if show_progress(sys.stderr) else None).fit(diaries)
    if args.write_priors:        # before any output: nothing is written from a failed fit
        require_converged(fit)
    payload = population_json(fit, diaries, priors, seed_drawn=args.seed is None)
    if args.write_priors:
        write_priors_into(fit, args.write_priors)
    if args.json:
        write_json(args.json, payload, like=[args.directory, *(d.source for d in diaries)])
    if args.json != "-":
        table = fit.effects().set_index(["form", "outcome"])
        print(f"{payload['persons']} persons, {payload['nights']} nights; diagnostics "
              f"{fit.diagnostics_.words()}")
        print(f"{fit.separable_} of {payload['persons']} diaries separate magnesium from "
              "expectation (a withdrawal or placebo nights)"
              + ("" if fit.separable_ else "; with none, the form effects and the expectation "
                 "effect are known only as their sum: read them together"))
        print(f"Fit: NUTS ({payload['provenance']['sampler']}), seed {seed}"
              + (" (drawn)" if args.seed is None else "")
              + f"; ci_low, ci_high: {payload['interval']:.0%} intervals")
        print(table[["mean", "ci_low", "ci_high", "p_benefit", "between_person_sd",
                     "persons_informative"]].round(3).to_string())
        if args.write_priors:
            print(f"\npriors written to {args.write_priors}: mgsleep priors --priors "
                  f"{args.write_priors}")
    if not fit.diagnostics_.ok:     # as nof1: a failed fit is no result to act on
        print(f"mgsleep population: NOT CONVERGED: {fit.diagnostics_.words()}; the effects "
              "above are no basis for anything: fit again with more diaries or another --seed",
              file=sys.stderr)
        return 1
    return 0
