"""Pre-posterior comparison of trial designs (model.trial.plan, model.trial.preposterior).

Prints, for two forms (glycinate, taurate) at 200 mg:

1. P(right decision), expected regret and when the decision commits, over a grid of period
   lengths x cycles (14-night baseline, 7-night washouts), truths drawn from the priors;
2. randomised-with-washout against a plain before/after design of the same length, without
   and with regression to the mean (``Drift()``: latency x1.65 and awakenings x1.5 on the first
   night, fading with a 14-night time constant), same persons and noise for both designs;
3. the quick analysis against the full ``PersonalModel`` on ``--full-sims`` diaries (default
   30): how often the two choose the same regimen, how far apart every candidate's P(best)
   and P(GI constraint violation) are, and the time per fit and per simulated trial.

Usage: ``python benchmarks/bench_design.py [--sims N] [--full-sims N] [--json PATH]``
(``--only-full`` runs part 3 alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time

import pandas as pd

from model.evidence.priorset import load_priors
from model.trial.agreement import quick_vs_full
from model.trial.plan import plan_before_after, plan_trial
from model.trial.preposterior import Drift, preposterior

FORMS = ["glycinate", "taurate"]
START = dt.date(2026, 1, 5)
SEED = 2026


def grid(priors, n_sims: int) -> pd.DataFrame:
    rows = []
    for period, cycles in ((7, 1), (7, 2), (14, 1), (14, 2), (14, 3), (21, 2)):
        plan = plan_trial(FORMS, period_days=period, cycles=cycles, start=START, seed=1)
        result = preposterior(plan, n_sims=n_sims, seed=SEED, priors=priors)
        rows.append({"period_days": period, "cycles": cycles} | result.summary())
    return pd.DataFrame(rows)


def before_after(priors, n_sims: int) -> list[dict]:
    randomised = plan_trial(FORMS, start=START, seed=1)
    plain = plan_before_after(FORMS[0], nights=randomised.n_nights, start=START)
    rows = []
    for name, drift in (("no drift", None), ("regression to the mean", Drift())):
        results = [preposterior(p, n_sims=n_sims, seed=SEED, priors=priors, drift=drift,
                                forms=FORMS) for p in (randomised, plain)]
        right = results[0].records["right"].astype(float) - results[1].records["right"]
        regret = results[1].records["regret"] - results[0].records["regret"]
        rows.append({
            "scenario": name, "nights": randomised.n_nights,
            "randomised": results[0].summary(), "before_after": results[1].summary(),
            "p_right_gain": float(right.mean()),
            "p_right_gain_se": float(right.std() / math.sqrt(len(right))),
            "regret_saved": float(regret.mean()),
            "regret_saved_se": float(regret.std() / math.sqrt(len(regret)))})
    return rows


def full_model(priors, n_sims: int) -> dict:
    plan = plan_trial(FORMS, start=START, seed=1)
    agreement = quick_vs_full(plan, n_sims=n_sims, seed=SEED, priors=priors,
                              full={"draws": 500, "tune": 500, "chains": 4})
    table = agreement.persons
    started = time.perf_counter()
    preposterior(plan, n_sims=20, seed=SEED, priors=priors)
    per_trial = (time.perf_counter() - started) / 20
    looks = len(range(14, plan.n_nights, 14)) + 1
    near_tie = ~table["same"] & ((table["p_best_quick"] < 0.8) | (table["p_best_full"] < 0.8))
    return {"fits": n_sims, "agreement": float(table["same"].mean()),
            "disagreements_on_near_ties": int(near_tie.sum()),
            "median_mean_z": float(table["mean_z"].median()),
            "max_z": float(table["max_z"].max()),
            "diagnostics_ok": float(table["diagnostics_ok"].mean()),
            "quick_seconds_per_fit": float(table["quick_seconds"].median()),
            "full_seconds_per_fit_warm": float(table["full_seconds"].iloc[1:].median()),
            "full_seconds_first_fit": float(table["full_seconds"].iloc[0]),
            "quick_seconds_per_trial": per_trial,
            "analyses_per_trial": looks,
            "full_seconds_per_trial_estimate": looks * float(table["full_seconds"].iloc[1:]
                                                             .median()),
            "candidates": agreement.summary(priors.safety.gi_constraint.epsilon),
            "rows": table.to_dict(orient="records"),
            "candidate_rows": agreement.candidates.to_dict(orient="records")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=100, help="simulations per grid design")
    parser.add_argument("--ba-sims", type=int, default=300,
                        help="simulations per design for before/after")
    parser.add_argument("--full-sims", type=int, default=30,
                        help="diaries fitted with the full model (0: skip)")
    parser.add_argument("--only-full", action="store_true",
                        help="run only the quick-vs-full comparison")
    parser.add_argument("--json", help="write the results as JSON")
    args = parser.parse_args()
    priors = load_priors()
    out: dict = {}

    if args.only_full:
        args.sims = args.ba_sims = 0
    table = grid(priors, args.sims) if args.sims else pd.DataFrame()
    out["grid"] = table.to_dict(orient="records")
    print(f"Designs ({args.sims} persons from the priors each; 14-night baseline, 7-night "
          "washouts; glycinate vs taurate at 200 mg):")
    print(f"{'period':>6} {'cycles':>6} {'nights':>6} {'P(right)':>12} {'regret':>7} "
          f"{'P(commit)':>9} {'commit night q25/50/75':>24} {'s/trial':>8}")
    for row in out["grid"]:
        q = "/".join(f"{v:.0f}" for v in row["commit_night_quartiles"]) or "-"
        print(f"{row['period_days']:>6} {row['cycles']:>6} {row['nights']:>6} "
              f"{row['p_right']:>6.2f} ±{row['p_right_se']:.2f} {row['regret_mean']:>7.2f} "
              f"{row['p_commit']:>9.2f} {q:>24} {row['seconds_per_trial']:>8.3f}")

    out["before_after"] = before_after(priors, args.ba_sims) if args.ba_sims else []
    print(f"\nRandomised with washout vs before/after (glycinate for the rest), "
          f"{args.ba_sims} persons each, same persons and noise:")
    for row in out["before_after"]:
        r, b = row["randomised"], row["before_after"]
        print(f"  {row['scenario']:24s} P(right) {r['p_right']:.3f} vs {b['p_right']:.3f} "
              f"(gain {row['p_right_gain']:+.3f} ± {row['p_right_gain_se']:.3f}); regret "
              f"{r['regret_mean']:.2f} vs {b['regret_mean']:.2f} (saved "
              f"{row['regret_saved']:+.2f} ± {row['regret_saved_se']:.2f})")

    if args.full_sims:
        out["full_model"] = full = full_model(priors, args.full_sims)
        print(f"\nQuick analysis vs full PersonalModel (4 chains x 500 draws) on "
              f"{full['fits']} simulated diaries: same regimen chosen in "
              f"{full['agreement']:.0%} (differing on {full['disagreements_on_near_ties']} "
              "near-ties, P(best) < 0.8); |posterior mean difference| of tried forms' effects: "
              f"median {full['median_mean_z']:.2f}, max {full['max_z']:.2f} full posterior SDs")
        c = full["candidates"]
        print(f"  every candidate ({len(full['candidate_rows'])} person x regimen pairs): "
              f"|P(best) quick - full| mean {c['p_best_mean_abs_diff']:.3f}, 90th percentile "
              f"{c['p_best_p90_abs_diff']:.3f}, max {c['p_best_max_abs_diff']:.3f} "
              f"(correlation {c['p_best_correlation']:.3f}); |P(GI violation) quick - full| "
              f"mean {c['p_gi_mean_abs_diff']:.3f}, max {c['p_gi_max_abs_diff']:.3f}; same "
              f"side of epsilon in {c['p_gi_same_side']:.0%}")
        print(f"  time per fit: quick {full['quick_seconds_per_fit'] * 1000:.1f} ms, full "
              f"{full['full_seconds_per_fit_warm']:.1f} s warm (first "
              f"{full['full_seconds_first_fit']:.0f} s, compilation included)")
        print(f"  time per simulated trial ({full['analyses_per_trial']} analyses): quick "
              f"{full['quick_seconds_per_trial']:.3f} s, full ~"
              f"{full['full_seconds_per_trial_estimate']:.0f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(out, handle, indent=2, default=float)


if __name__ == "__main__":
    main()
