"""Time the n-of-1 engine: normal + AR(1) and ordinal fits on 120 simulated nights.

For each sampler (pymc, nutpie) and model: the time to build and compile (PyMC: the logp
and gradient function; nutpie: the package's disk-cached numba compilation,
:func:`model.inference.compile_cache.compile_nutpie`, which a second run of the benchmark
loads instead), the wall time of the package's sampling call (:func:`sample_posterior`;
PyMC's compiles again inside it), and the minimum bulk ESS per second of sampling.

    .venv/bin/python benchmarks/bench_nof1.py [--json PATH] [--draws N] [--tune N] [--chains N]
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import pymc as pm

from model.inference.compile_cache import compile_nutpie
from model.inference.diagnostics import check_convergence
from model.inference.samplers import sampler_available
from model.inference.sampling import sample_posterior
from model.nof1.engine import Nof1Model, simulate_nof1

CASES = {
    "normal_ar1": {"family": "normal", "ar1": True},
    "ordinal": {"family": "ordinal", "categories": (0, 4)},
}


def compile_seconds(pm_model: pm.Model, sampler: str) -> float:
    """Seconds to compile the model the way ``sampler`` does (cached compiles are faster)."""
    start = time.perf_counter()
    if sampler == "nutpie":
        compile_nutpie(pm_model)
    else:
        pm_model.logp_dlogp_function(ravel_inputs=True)
    return time.perf_counter() - start


def bench(case: str, sampler: str, draws: int, tune: int, chains: int) -> dict:
    """One model x sampler measurement."""
    data = simulate_nof1(CASES[case]["family"], n_nights=120, ar_rho=0.5, seed=1)
    estimator = Nof1Model(**CASES[case])
    pm_model = estimator.build(data, outcome="y", treatment="treatment", time="night")
    compile_s = compile_seconds(pm_model, sampler)
    start = time.perf_counter()
    idata = sample_posterior(pm_model, draws=draws, tune=tune, chains=chains, sampler=sampler,
                             random_seed=1)
    wall = time.perf_counter() - start
    sampling = float(idata["posterior"].attrs.get("sampling_time", wall))
    diagnostics = check_convergence(idata, var_names=[v.name for v in pm_model.free_RVs])
    return {
        "case": case, "sampler": sampler, "nights": 120, "draws": draws, "tune": tune,
        "chains": chains, "compile_s": round(compile_s, 2), "sample_call_s": round(wall, 2),
        "sampling_s": round(sampling, 2),
        "min_ess_bulk": round(diagnostics.min_ess_bulk, 1),
        "min_ess_bulk_per_s": round(diagnostics.min_ess_bulk / sampling, 1),
        "diagnostics_ok": diagnostics.ok, "divergences": diagnostics.divergences,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    args = parser.parse_args()
    samplers = [s for s in ("pymc", "nutpie") if sampler_available(s)]
    results = [bench(case, sampler, args.draws, args.tune, args.chains)
               for case in CASES for sampler in samplers]
    header = f"{'case':<11} {'sampler':<7} {'compile s':>9} {'sample s':>11} " \
             f"{'sampling s':>10} {'min ESS':>8} {'ESS/s':>8}  ok"
    print(header)
    for r in results:
        print(f"{r['case']:<11} {r['sampler']:<7} {r['compile_s']:>9.2f} "
              f"{r['sample_call_s']:>11.2f} {r['sampling_s']:>10.2f} {r['min_ess_bulk']:>8.0f} "
              f"{r['min_ess_bulk_per_s']:>8.1f}  {r['diagnostics_ok']}")
    if args.json:
        payload = {"machine": platform.platform(), "python": platform.python_version(),
                   "pymc": pm.__version__, "results": results}
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2)


if __name__ == "__main__":
    main()
