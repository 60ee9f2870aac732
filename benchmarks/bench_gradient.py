"""Cost of one log-density + gradient evaluation of the personal model, and of its parts.

nutpie samples through PyTensor's numba code and every leapfrog step costs one evaluation, so
that cost is most of a fit's time. For simulated diaries (responder persona) of each length
this prints the microseconds of one evaluation of the whole graph as nutpie calls it (the C
callback of the package's disk-cached compilation, called in a loop through ``ctypes``; best
of 5 x 2,000 calls) and of its parts on the same data, each compiled alone and called from
Python (their timings hold the call's own cost of a few microseconds):

- each outcome's likelihood term: its family's ``logp`` at the diary's observations, with the
  gradient with respect to the linear predictor and the family's parameters;
- the build-up exposure (:func:`model.likelihood.kinetics.exposure`), with the gradient with
  respect to log tau.

The parts are compiled alone, so their sum is not the whole: the rest is the priors, the
linear predictor and the call itself.

    python benchmarks/bench_gradient.py [--nights 120,365,730] [--json PATH]

Timings depend on the machine's load: compare rows of one run, never across runs.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt

from model.core.outcomes import OUTCOMES
from model.data.diary import read_diary
from model.evidence.priorset import load_priors
from model.inference.compile_cache import compile_cached
from model.likelihood import kinetics
from model.likelihood.families import Ordinal, family_of
from model.personal.fit import PersonalModel
from model.personal.graph import build_graph
from model.personal.nightly import INTERCEPTS
from model.simulate.personas import simulate_diary

CALLS = 2000
"""Evaluations per timing; the best of 5 timings is reported."""


def microseconds(inputs: Sequence[Any], output: Any, wrt: Sequence[Any],
                 values: Sequence[np.ndarray]) -> float:
    """Best time of one numba evaluation of ``output`` and its gradient with respect to ``wrt``."""
    function = pytensor.function(list(inputs), [output, *pt.grad(output, list(wrt))],
                                 mode="NUMBA")
    jit = function.vm.jit_fn   # the compiled code without PyTensor's Python wrapper
    arguments = [np.asarray(v) for v in values]
    arguments += [s.storage[0] for s in function.input_storage[len(arguments):]]
    jit(*arguments)
    return best_of(lambda: jit(*arguments))


def best_of(call: Callable[[], Any]) -> float:
    """Microseconds of one ``call``: the best of 5 timings of :data:`CALLS` calls."""
    best = np.inf
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(CALLS):
            call()
        best = min(best, (time.perf_counter() - start) / CALLS)
    return best * 1e6


def whole(data: dict[str, np.ndarray]) -> float:
    """One evaluation of the personal graph on ``data``, through nutpie's C callback.

    A Python call of the numba function would unbox its forty-odd data arrays every time,
    several microseconds that nutpie never pays.
    """
    model = build_graph(*data["segment"].shape)
    with model:
        pm.set_data(data)
    compiled = compile_cached(model).with_data(**data)
    pointer = ctypes.POINTER(ctypes.c_double)
    x = np.random.default_rng(0).normal(0.0, 0.1, compiled.n_dim)
    gradient, logp = np.zeros(compiled.n_dim), np.zeros(())
    arguments = (compiled.n_dim, x.ctypes.data_as(pointer), gradient.ctypes.data_as(pointer),
                 logp.ctypes.data_as(pointer), ctypes.c_void_p(compiled.user_data.ctypes.data))
    callback = compiled.compiled_logp_func.ctypes
    if callback(*arguments) != 0:
        raise RuntimeError("the log density was not finite at the benchmark's point")
    return best_of(lambda: callback(*arguments))


def likelihood_term(outcome: str, data: dict[str, np.ndarray]) -> float:
    """One evaluation of an outcome's likelihood term at a linear predictor of 0."""
    family = family_of(outcome)
    n = len(data[f"{outcome}_w"])
    coords = ({f"{outcome}_cut": range(family.categories - 1)} if isinstance(family, Ordinal)
              else {})
    fields = {f: pt.as_tensor(data[f"{outcome}_{f}"]) for f, _ in family.data_fields}
    eta = pt.vector("eta")
    with pm.Model(coords=coords) as model:
        centre = (pt.as_tensor(data["intercept_mu"][INTERCEPTS.index(outcome)])
                  if outcome in INTERCEPTS else None)
        params = family.add_parameters(outcome, centre, eta, fields["w"])
    logp = pt.sum(fields["w"] * family.logp(fields["y"], eta, params, fields))
    logp = model.replace_rvs_by_values([logp])[0] + model.logp()
    point = model.initial_point()
    values = model.value_vars
    return microseconds([eta, *values], logp, [eta, *values],
                        [np.zeros(n), *(point[v.name] for v in values)])


def exposure(data: dict[str, np.ndarray]) -> float:
    """One evaluation of the build-up exposure, weighted per night and form, at tau = 10."""
    log_tau = pt.scalar("log_tau")
    arrays = [pt.as_tensor(data[name]) for name in
              ("segment", "since_change", "change_gap", "change_step", "current")]
    weights = np.random.default_rng(0).normal(size=data["current"].shape)
    total = pt.sum(kinetics.exposure(*arrays, pt.exp(log_tau), pt) * weights)
    return microseconds([log_tau], total, [log_tau], [np.log(10.0)])


def costs(nights: int) -> dict[str, float]:
    """Microseconds of the whole evaluation and of each part, for one diary length."""
    model = PersonalModel(load_priors(), random_seed=1)
    data = model.graph_data(read_diary(simulate_diary("responder", nights, seed=nights)))
    out = {"whole": whole(data), "exposure": exposure(data)}
    out |= {outcome: likelihood_term(outcome, data) for outcome in OUTCOMES}
    out["changes"] = float(data["segment"].shape[1])
    return out


def print_costs(result: dict[str, dict[str, float]]) -> None:
    """The table: one row per diary length, microseconds of the whole and of each part."""
    parts = ["whole", "exposure", *OUTCOMES]
    print("microseconds per log density + gradient (numba)")
    print(f"{'nights':>6} {'changes':>7} " + " ".join(f"{p:>10}" for p in parts))
    for n, row in result.items():
        print(f"{n:>6} {row['changes']:>7.0f} " + " ".join(f"{row[p]:>10.1f}" for p in parts))


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    """Print one row per diary length: microseconds of the whole and of each part."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nights", default="120,365,730")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    result = {n: costs(int(n)) for n in args.nights.split(",")}
    print_costs(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
