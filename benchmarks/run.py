"""The speed benchmark of mgsleep (``make bench``): one run, figures side by side.

Measures, on this machine, for the same model and data:

1. PyMC's own NUTS vs the project default (nutpie) on a 120-night diary: fit time, min bulk
   ESS, ESS per second and the ratio (first fit of a size includes compilation: reported
   apart);
2. ``update()`` after one appended night (120 nights): PSIS reweighting of the last NUTS
   draws (the default), a second such update, and a warm-started NUTS refit instead;
3. 365- and 730-night fits;
4. ranking all actions from 4,000 real posterior draws (``decide``); ESS/s of the default
   sampler and PyMC's NUTS on the same graph at 120 and 365 nights, with the posteriors'
   agreement (``benchmarks/bench_sampler.py``); the cost of one log density + gradient
   evaluation and of its parts at 120, 365 and 730 nights (``benchmarks/bench_gradient.py``);
5. ``mgsleep analyze`` on 120 nights in a fresh process: with an empty compile cache, then
   twice more with the cache the first run left (the best of the two is reported); always a
   full fit (``--no-cache``: the fit cache would make the later runs re-use the first fit);
6. the daily loop (``benchmarks/bench_reanalysis.py``): re-analysis of a 120-night world
   diary that gained one night, in a new process with its cached fit, against a full refit
   (``--reanalysis-diaries``, default 5 here; the issue's target is measured on 40);
7. population scaling: 50, 200, 1,000 persons x 90 nights, serial vs 2 local Dask workers;
8. start-up: ``mgsleep --help`` and each mode of ``mgsleep priors`` in new processes
   (``benchmarks/bench_startup.py``, median of 5);
9. optionally (``--loop-persons N``), the closed loop of ``benchmarks/closed_loop.py`` on N
   persons with the quick model only (``make bench-loop`` runs the full 200-person version).

    .venv/bin/python benchmarks/run.py [--json PATH] [--persons 50,200,1000] [--skip-cli]
        [--loop-persons N] [--reanalysis-diaries N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_gradient import costs as gradient_costs
from bench_gradient import print_costs
from bench_reanalysis import main as reanalysis
from bench_reanalysis import summary as reanalysis_summary
from bench_sampler import efficiency, print_table
from bench_startup import main as startup
from bench_startup import summary as startup_summary

from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision.decide import decide
from model.evidence.priorset import load_priors
from model.personal.fit import PersonalModel
from model.population.hierarchical import PopulationModel, stack_likelihoods
from model.population.person_stage import likelihoods
from model.simulate.personas import simulate_diary, simulate_population

TARGETS = {
    "update_120_s": 1.5, "analyze_cli_120_s": 10.0, "ess_per_s_ratio": 10.0,
    "fit_730_s": 30.0, "rank_ms": 50.0, "population_1000_total_s": 600.0,
}


def timed_fit(priors: Any, diary: Any, sampler: str, seed: int = 1) -> dict[str, float]:
    """Fit twice (first: compile + sample; second: sample only); report the second."""
    first = PersonalModel(priors, sampler=sampler, random_seed=seed).fit(diary)
    second = PersonalModel(priors, sampler=sampler, random_seed=seed + 1).fit(diary)
    ess = second.diagnostics_.min_ess_bulk
    return {"first_fit_s": first.fit_seconds_, "fit_s": second.fit_seconds_,
            "min_ess_bulk": ess, "ess_per_s": ess / second.fit_seconds_,
            "ok": float(second.diagnostics_.ok)}


def bench_samplers(priors: Any) -> dict[str, Any]:
    diary = read_diary(simulate_diary("responder", 120, seed=5))
    out = {name: timed_fit(priors, diary, name) for name in ("pymc", "nutpie")}
    out["ess_per_s_ratio"] = out["nutpie"]["ess_per_s"] / out["pymc"]["ess_per_s"]
    return out


def bench_update(priors: Any) -> dict[str, Any]:
    """``update()`` after one appended night: PSIS reweighting (default) and a NUTS refit."""
    frame = simulate_diary("responder", 123, seed=6)
    fit = PersonalModel(priors, random_seed=3).fit(read_diary(frame.iloc[:120]))
    start = time.perf_counter()
    fit.update(frame.iloc[[120]])
    out = {"update_s": time.perf_counter() - start, "method": fit.method_,
           "min_ess_bulk": fit.diagnostics_.min_ess_bulk, "ok": float(fit.diagnostics_.ok)}
    if fit.reweighting_ is not None:
        out |= {"pareto_k": fit.reweighting_.pareto_k,
                "ess_fraction": fit.reweighting_.ess_fraction}
    start = time.perf_counter()
    fit.update(frame.iloc[[121]])
    out["second_update_s"] = time.perf_counter() - start
    start = time.perf_counter()
    fit.update(frame.iloc[[122]], reweight=False)
    out["nuts_refit_update_s"] = time.perf_counter() - start
    out["nuts_refit_min_ess_bulk"] = fit.diagnostics_.min_ess_bulk
    settings = json.loads(fit.idata_["sample_stats"].attrs["inference_library_settings"])
    out["nuts_refit_tune"] = settings["settings"]["num_tune"]  # 150: the warm start was kept
    return out


def bench_long(priors: Any, nights: int) -> dict[str, float]:
    diary = read_diary(simulate_diary("dose_responder", nights, seed=nights))
    return timed_fit(priors, diary, "nutpie")


def bench_rank(priors: Any) -> dict[str, float]:
    diary = read_diary(simulate_diary("glycinate_responder_citrate_gi", 120, seed=8))
    fit = PersonalModel(priors, random_seed=4).fit(diary)
    as_of = diary.nights.index.max().date()
    times = []
    for _ in range(20):
        start = time.perf_counter()
        decide(fit.predict, priors=priors, profile=Profile(), diary=diary, as_of=as_of)
        times.append(time.perf_counter() - start)
    draws = fit.draws_of("tau").shape[0]
    return {"draws": draws, "rank_ms_median": 1000 * float(np.median(times)),
            "rank_ms_max": 1000 * float(np.max(times))}


def bench_cli(tmp: Path) -> dict[str, float]:
    """``mgsleep analyze`` in new processes: empty compile cache, then the cache it left."""
    diary = tmp / "diary120.csv"
    simulate_diary("responder", 120, seed=9).to_csv(diary, index=False)
    env = os.environ | {"PYTENSOR_FLAGS": f"base_compiledir={tmp / 'compiledir'}"}
    walls = []
    for k in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "model", "analyze", str(diary), "--seed", "1",
                        "--no-cache", "--json", str(tmp / f"a{k}.json")], check=True,
                       capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
    return {"cold_cache_s": walls[0], "warm_cache_s": min(walls[1:]),
            "warm_cache_runs_s": walls[1:]}


def bench_population(priors: Any, sizes: list[int]) -> dict[str, Any]:
    """Per-person stage serial vs 2 Dask workers, then the population NUTS stage alone."""
    out: dict[str, Any] = {}
    frames, _ = simulate_population(priors, max(sizes), 90, seed=11)
    diaries = [read_diary(f) for f in frames]
    likelihoods(diaries[:1], priors)  # compile once in this process
    for n in sizes:
        row: dict[str, float] = {}
        for workers in (0, 2):
            start = time.perf_counter()
            people = likelihoods(diaries[:n], priors, workers=workers)
            row[f"per_person_stage_s_workers{workers}"] = time.perf_counter() - start
        model = PopulationModel(priors, random_seed=1)
        model.priors_, model.persons_ = priors, people
        start = time.perf_counter()
        model.sample(*stack_likelihoods(people))
        row["population_stage_s"] = time.perf_counter() - start
        row["total_2_workers_s"] = row["per_person_stage_s_workers2"] + row["population_stage_s"]
        row["scaling_efficiency_2_workers"] = row["per_person_stage_s_workers0"] / (
            2 * row["per_person_stage_s_workers2"])
        out[str(n)] = row
        print(f"  population {n} x 90 nights: {json.dumps(row)}", flush=True)
    return out


def bench_loop(persons: int) -> dict[str, Any]:
    """The closed-loop benchmark on a few persons (no full-model check): wall time and table."""
    from closed_loop import main as closed_loop

    result = closed_loop(["--persons", str(persons), "--full-subset", "0"])
    return {"persons": persons, "wall_s": result["wall_seconds"],
            "policies": result["summary"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--persons", default="50,200,1000")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--only-population", action="store_true")
    parser.add_argument("--loop-persons", type=int, default=0,
                        help="closed-loop benchmark on this many persons (0: skip)")
    parser.add_argument("--reanalysis-diaries", type=int, default=5,
                        help="diaries of the re-analysis benchmark (0: skip; target on 40)")
    args = parser.parse_args()
    priors = load_priors()
    results: dict[str, Any] = {"date": dt.date.today().isoformat(), "targets": TARGETS}
    steps = [("samplers_120", lambda: bench_samplers(priors)),
             ("update_120", lambda: bench_update(priors)),
             ("fit_365", lambda: bench_long(priors, 365)),
             ("fit_730", lambda: bench_long(priors, 730)),
             ("rank", lambda: bench_rank(priors)),
             ("sampler_efficiency", lambda: efficiency(priors, (120, 365))),
             ("gradient_us", lambda: {str(n): gradient_costs(n) for n in (120, 365, 730)}),
             ("startup", lambda: startup([]))]
    if not args.skip_cli:
        tmp = Path(tempfile.mkdtemp())
        steps.append(("analyze_cli_120", lambda: bench_cli(tmp)))
    if args.reanalysis_diaries:
        steps.append(("reanalysis_120", lambda: reanalysis(
            ["--diaries", str(args.reanalysis_diaries), "--nights", "120"])))
    if args.loop_persons:
        steps.append(("closed_loop", lambda: bench_loop(args.loop_persons)))
    sizes = [int(s) for s in args.persons.split(",") if s]
    if sizes:
        steps.append(("population_90_nights", lambda: bench_population(priors, sizes)))
    if args.only_population:
        steps = steps[-1:]
    for name, step in steps:
        start = time.perf_counter()
        results[name] = step()
        print(f"{name} ({time.perf_counter() - start:.0f} s): "
              f"{json.dumps(results[name], default=float)}", flush=True)
    if "samplers_120" in results:
        print(summary(results))
    if "sampler_efficiency" in results:
        print_table(results["sampler_efficiency"])
    if "gradient_us" in results:
        print_costs(results["gradient_us"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=float))


def summary(r: dict[str, Any]) -> str:
    """The side-by-side table."""
    s = r["samplers_120"]
    lines = ["", f"{'measure':48s} {'value':>12s} {'target':>10s}",
             f"{'PyMC NUTS 120 nights: fit s (ESS/s)':48s} "
             f"{s['pymc']['fit_s']:7.1f} ({s['pymc']['ess_per_s']:.0f})",
             f"{'nutpie 120 nights: fit s (ESS/s)':48s} "
             f"{s['nutpie']['fit_s']:7.1f} ({s['nutpie']['ess_per_s']:.0f})",
             f"{'ESS/s ratio nutpie / PyMC':48s} {s['ess_per_s_ratio']:12.1f} {'>= 10':>10s}",
             f"{'first fit incl. compile, nutpie / PyMC (s)':48s} "
             f"{s['nutpie']['first_fit_s']:5.0f} / {s['pymc']['first_fit_s']:.0f}",
             f"{'update() after 1 night, 120 nights (s)':48s} "
             f"{r['update_120']['update_s']:12.2f} {'<= 1.5':>10s}",
             f"{'   method; Pareto k; next update (s)':48s} {r['update_120']['method']:>5s}; "
             f"{r['update_120'].get('pareto_k', float('nan')):.2f}; "
             f"{r['update_120']['second_update_s']:.2f}",
             f"{'   the same update by warm-started NUTS (s)':48s} "
             f"{r['update_120']['nuts_refit_update_s']:12.2f}",
             f"{'   min bulk ESS of that update':48s} {r['update_120']['min_ess_bulk']:12.0f} "
             f"{'>= 400':>10s}",
             f"{'365-night fit (s)':48s} {r['fit_365']['fit_s']:12.1f}",
             f"{'730-night fit (s)':48s} {r['fit_730']['fit_s']:12.1f} {'<= 30':>10s}",
             f"{'rank all actions, 4000 draws (ms, median)':48s} "
             f"{r['rank']['rank_ms_median']:12.1f} {'<= 50':>10s}"]
    if "startup" in r:
        lines += startup_summary(r["startup"])
    if "reanalysis_120" in r:
        lines += reanalysis_summary(r["reanalysis_120"])
    if "analyze_cli_120" in r:
        c = r["analyze_cli_120"]
        lines.append(f"{'mgsleep analyze 120 nights, new process (s)':48s} "
                     f"{c['warm_cache_s']:12.1f} {'<= 10':>10s}")
        lines.append(f"{'   the same with an empty compile cache (s)':48s} "
                     f"{c['cold_cache_s']:12.1f}")
    for n, row in r.get("population_90_nights", {}).items():
        lines.append(f"{f'population {n} x 90: per-person serial / 2 workers (s)':48s} "
                     f"{row['per_person_stage_s_workers0']:6.0f} / "
                     f"{row['per_person_stage_s_workers2']:.0f}  eff "
                     f"{row['scaling_efficiency_2_workers']:.2f}; total (2 workers + NUTS) "
                     f"{row['total_2_workers_s']:.0f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
