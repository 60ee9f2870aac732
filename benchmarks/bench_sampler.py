"""Sampler efficiency of the personal model: ESS per second, nutpie variants vs PyMC's NUTS.

For simulated diaries of 120 and 365 nights, the same personal graph (same data) is sampled by

- ``default``: the package's own path (:func:`model.inference.sampling.run_nuts` with
  :class:`~model.personal.fit.PersonalModel`'s settings: nutpie, 4 chains x 1,000 draws after
  500 tuning steps);
- nutpie variants (``--variants``): another mass-matrix adaptation, tuning length, target
  acceptance, tree depth or low-rank update frequency
  (``low_rank:maxdepth=3,target_accept=0.85``, ``low_rank:update_freq=20``), through the same
  :func:`model.inference.nutpie_run.sample_nutpie`;
- ``pymc``: ``pm.sample`` (PyMC's own NUTS) with the same draws, tuning, chains and target.

Per run: seconds of sampling (tuning included, compilation excluded: the nutpie graph is
compiled before the clock starts, PyMC's own ``sampling_time`` leaves its compilation out),
bulk ESS (minimum over the decision's variables, minimum and median over every scalar of the
posterior), ESS/s of the minimum and of the median and their ratio to PyMC's on the same
diary, leapfrog steps per draw, divergences, max R-hat, the package's gate, and whether the
run holds the same posterior as PyMC's: the largest ``|difference| / combined Monte-Carlo
error`` of the means and SDs of the decision's variables (about 3.5 at most by chance).

    python benchmarks/bench_sampler.py [--nights 120,365] [--variants diag,low_rank:tune=300]
        [--repeats 1] [--phases] [--json PATH]

``--phases`` also times one chain of the default settings in its two phases, tuning and
drawing (a run of the tuning steps and one draw against a run of tuning and all draws, median
of three seeds), per leapfrog step: how much of a fit is the mass-matrix adaptation rather
than the gradient.

Timings depend on the machine's load: compare rows of one run, never across runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from arviz_stats import ess, mcse, rhat

from model.data.diary import read_diary
from model.evidence.priorset import load_priors
from model.inference.diagnostics import gate
from model.inference.nutpie_run import ADAPTATION, sample_nutpie
from model.inference.sampling import SamplerConfig, run_nuts
from model.personal.fit import PersonalModel
from model.personal.sampler import CHECKED, GRAPHS
from model.simulate.personas import simulate_diary


def scalar_ess(posterior: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Bulk ESS and R-hat of every scalar of every posterior variable, flattened."""
    with np.errstate(divide="ignore", invalid="ignore"):
        bulk, hat = ess(posterior, method="bulk"), rhat(posterior)
    flat = [np.ravel(bulk[name].values) for name in posterior.data_vars]
    flat_rhat = [np.ravel(hat[name].values) for name in posterior.data_vars]
    values, rhats = np.concatenate(flat), np.concatenate(flat_rhat)
    keep = np.isfinite(values)  # constant elements (none in this model) have no ESS
    return values[keep], rhats[keep]


def moments(posterior: xr.Dataset) -> dict[str, np.ndarray]:
    """Mean and SD of every scalar with their Monte-Carlo standard errors, flattened."""
    flat = {}
    for stat in ("mean", "sd"):
        value = getattr(posterior, "mean" if stat == "mean" else "std")(("chain", "draw"))
        error = mcse(posterior, method=stat)
        flat[stat] = np.concatenate([np.ravel(value[v].values) for v in posterior.data_vars])
        flat[f"{stat}_mcse"] = np.concatenate([np.ravel(error[v].values)
                                               for v in posterior.data_vars])
    return flat


def agreement(run: dict[str, np.ndarray], reference: dict[str, np.ndarray]) -> dict[str, float]:
    """Largest ``|difference| / combined MCSE`` of the means and of the SDs (independent runs
    of one posterior: about 3.5 at most over a hundred scalars)."""
    out = {}
    for stat in ("mean", "sd"):
        spread = np.hypot(run[f"{stat}_mcse"], reference[f"{stat}_mcse"])
        z = np.abs(run[stat] - reference[stat]) / np.maximum(spread, 1e-12)
        out[f"max_z_{stat}"] = float(np.nanmax(z))
    return out


def measure(idata: xr.DataTree, seconds: float, draws: int) -> dict[str, Any]:
    """ESS, ESS/s and diagnostics of one run that sampled for ``seconds``."""
    posterior = idata["posterior"].to_dataset()
    checked = gate(idata, CHECKED)
    everything = posterior[[v for v in posterior.data_vars if not v.endswith("_loglik")]]
    values, rhats = scalar_ess(everything)
    stats = idata["sample_stats"].to_dataset()
    steps = float(stats["n_steps"].mean()) if "n_steps" in stats else float("nan")
    return {"seconds": seconds, "min_ess_checked": checked.min_ess_bulk,
            "min_ess": float(values.min()), "median_ess": float(np.median(values)),
            "ess_per_s_min": float(values.min()) / seconds,
            "ess_per_s_median": float(np.median(values)) / seconds,
            "steps_per_draw": steps, "divergences": float(checked.divergences),
            "max_rhat": float(rhats.max()), "gate_ok": float(checked.ok), "draws": draws,
            "moments": moments(everything[list(CHECKED)])}


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    """``diag`` or ``low_rank:tune=300`` -> (name, keyword overrides of the nutpie run)."""
    adaptation, _, rest = text.partition(":")
    overrides: dict[str, Any] = {"adaptation": adaptation}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        overrides[key] = float(value) if key == "target_accept" else int(value)
    return text, overrides


def run_variant(config: SamplerConfig, data: dict[str, np.ndarray],
                overrides: dict[str, Any]) -> dict[str, Any]:
    """One nutpie run through ``sample_nutpie`` with ``overrides`` of the default settings."""
    settings = {"draws": config.draws, "tune": config.tune, "chains": config.chains,
                "cores": config.cores, "seed": config.seed, "target_accept": config.target_accept,
                "progressbar": False, "adaptation": ADAPTATION} | overrides
    compiled = GRAPHS.get("nutpie").nutpie_model
    start = time.perf_counter()
    idata = sample_nutpie(compiled, data=data, **settings)
    return measure(idata, time.perf_counter() - start, settings["draws"])


def run_default(config: SamplerConfig, data: dict[str, np.ndarray]) -> dict[str, Any]:
    """The package's own path (``run_nuts`` on the compiled graph)."""
    GRAPHS.get("nutpie")
    start = time.perf_counter()
    idata = run_nuts(GRAPHS, config, data=data)
    return measure(idata, time.perf_counter() - start, config.draws)


def run_pymc(config: SamplerConfig, data: dict[str, np.ndarray]) -> dict[str, Any]:
    """PyMC's own NUTS on the same graph and data (its compilation left out)."""
    idata = run_nuts(GRAPHS, dataclasses.replace(config, sampler="pymc"), data=data)
    seconds = float(idata["posterior"].attrs["sampling_time"])
    return measure(idata, seconds, config.draws)


def responder(priors: Any, nights: int, seed: int) -> tuple[PersonalModel, dict[str, np.ndarray]]:
    """The model and graph data of the simulated responder's diary of ``nights`` nights."""
    model = PersonalModel(priors, random_seed=seed)
    return model, model.graph_data(read_diary(simulate_diary("responder", nights, seed=nights)))


def phases(config: SamplerConfig, data: dict[str, np.ndarray], seeds: int = 3) -> dict[str, float]:
    """Seconds and microseconds per leapfrog step of one chain's tuning and of its draws.

    Tuning alone is timed as a run of ``config.tune`` tuning steps and one draw, its tuning
    draws kept for their step counts; the draws' share is a full run's time minus that.
    Medians over ``seeds`` seeds.
    """
    compiled = GRAPHS.get("nutpie").nutpie_model
    runs: dict[str, list[float]] = {}
    for seed in range(config.seed, config.seed + seeds):
        for phase, draws in (("tuning", 1), ("full", config.draws)):
            start = time.perf_counter()
            idata = sample_nutpie(compiled, data=data, draws=draws, tune=config.tune, chains=1,
                                  cores=1, seed=seed, target_accept=config.target_accept,
                                  progressbar=False, save_warmup=True)
            runs.setdefault(f"{phase}_s", []).append(time.perf_counter() - start)
            runs.setdefault(f"{phase}_steps", []).append(
                float(idata["warmup_sample_stats"]["n_steps"].sum())
                + float(idata["sample_stats"]["n_steps"].sum()))
    out = {key: float(np.median(values)) for key, values in runs.items()}
    drawing_s = out["full_s"] - out["tuning_s"]
    return {"tuning_s": out["tuning_s"], "drawing_s": drawing_s,
            "tuning_us_per_step": 1e6 * out["tuning_s"] / out["tuning_steps"],
            "drawing_us_per_step": 1e6 * drawing_s / (out["full_steps"] - out["tuning_steps"]),
            "tuning_share": out["tuning_s"] / out["full_s"]}


def efficiency(priors: Any, nights: tuple[int, ...], variants: tuple[str, ...] = (),
               repeats: int = 1, seed: int = 1) -> dict[str, Any]:
    """ESS/s of the default path, ``variants`` and PyMC on diaries of ``nights`` nights."""
    out: dict[str, Any] = {}
    for n in nights:
        model, data = responder(priors, n, seed)
        rows: dict[str, list[dict[str, Any]]] = {}
        for k in range(repeats):
            config = dataclasses.replace(model.sampler_config, seed=seed + k)
            rows.setdefault("default", []).append(run_default(config, data))
            for name, overrides in map(parse_variant, variants):
                rows.setdefault(name, []).append(run_variant(config, data, overrides))
            rows.setdefault("pymc", []).append(run_pymc(config, data))
            reference = rows["pymc"][-1]["moments"]
            for name, runs in rows.items():
                runs[-1] |= agreement(runs[-1].pop("moments"), reference)
                print(f"{n} nights, {name}, repeat {k}: {json.dumps(runs[-1])}", flush=True)
        out[str(n)] = summarise(rows)
    return out


def summarise(rows: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Median over repeats of each figure, and the ESS/s ratios to PyMC."""
    table = {name: {key: float(np.median([r[key] for r in runs])) for key in runs[0]}
             for name, runs in rows.items()}
    base = table["pymc"]
    for row in table.values():
        row["ratio_min"] = row["ess_per_s_min"] / base["ess_per_s_min"]
        row["ratio_median"] = row["ess_per_s_median"] / base["ess_per_s_median"]
    return table


def print_table(results: dict[str, Any]) -> None:
    """The results side by side, one line per diary length and sampler."""
    head = (f"{'nights':>6s} {'sampler':24s} {'s':>6s} {'minESS':>7s} {'medESS':>7s} "
            f"{'ESS/s min':>9s} {'med':>7s} {'x PyMC min':>10s} {'med':>6s} {'steps':>6s} "
            f"{'div':>4s} {'Rhat':>6s} {'gate':>4s} {'z mean':>6s} {'z sd':>5s}")
    print(head)
    for n, table in results.items():
        for name, r in table.items():
            print(f"{n:>6s} {name:24s} {r['seconds']:6.1f} {r['min_ess']:7.0f} "
                  f"{r['median_ess']:7.0f} {r['ess_per_s_min']:9.1f} {r['ess_per_s_median']:7.1f} "
                  f"{r['ratio_min']:10.1f} {r['ratio_median']:6.1f} {r['steps_per_draw']:6.1f} "
                  f"{r['divergences']:4.0f} {r['max_rhat']:6.3f} {r['gate_ok']:4.0f} "
                  f"{r['max_z_mean']:6.1f} {r['max_z_sd']:5.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nights", default="120,365")
    parser.add_argument("--variants", default="", help="comma-free list separated by ';', "
                        "e.g. 'diag;low_rank:tune=300'")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--phases", action="store_true",
                        help="also time one chain's tuning and drawing per leapfrog step")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    nights = tuple(int(n) for n in args.nights.split(","))
    variants = tuple(filter(None, args.variants.split(";")))
    priors = load_priors()
    results = efficiency(priors, nights, variants, args.repeats)
    print_table(results)
    if args.phases:
        results["phases"] = {}
        for n in nights:
            model, data = responder(priors, n, seed=1)
            row = results["phases"][str(n)] = phases(model.sampler_config, data)
            print(f"{n} nights, one chain: tuning {row['tuning_s']:.2f} s "
                  f"({row['tuning_us_per_step']:.0f} us a leapfrog step), drawing "
                  f"{row['drawing_s']:.2f} s ({row['drawing_us_per_step']:.0f} us a step); "
                  f"tuning {100 * row['tuning_share']:.0f} % of the time")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
