"""A followed plan's washout counts as a withdrawal: its length is the analysis' own rule.

An outside audit: after a whole plan followed, with its default 7-night washout, the analysis
said "no withdrawal (8+ nights off ... 7 is too few)": the fit's time constant came out at
10.1-11.5 days, and the rule asks ln 2 of it.
"""

import datetime as dt

import numpy as np
import pandas as pd

from model.cli.main import main
from model.data.diary import read_diary
from model.personal.separability import separability
from model.personal.withdrawal import off_nights_needed
from model.trial.periods import WASHOUT_TAU_QUANTILE, withdrawal_washout
from model.trial.plan import plan_trial

START = dt.date(2026, 10, 10)


def test_the_default_washout_is_the_separability_rule_at_the_priors_upper_time_constant():
    washout = withdrawal_washout()
    # the rule at the 8+ the audit met, and at a fit's median up to 19 days (the prior's 90 %)
    assert washout >= off_nights_needed({"tau": np.array([11.5])}) == 8
    assert washout == off_nights_needed({"tau": np.array([18.9])}) == 14
    assert WASHOUT_TAU_QUANTILE == 0.9
    plan = plan_trial(["glycinate"], start=START, seed=1)
    assert [p.nights for p in plan.periods if p.kind == "washout"] == [washout]
    assert plan.settings["washout_days"] == washout
    assert [p.nights for p in plan_trial(["glycinate"], start=START, seed=1, washout_days=7)
            .periods if p.kind == "washout"] == [7]          # a washout given is kept


def test_a_followed_plan_counts_as_a_withdrawal_at_a_slower_fade_than_the_audit_met(tmp_path):
    plan = plan_trial(["glycinate"], start=START, seed=1)
    diary = pd.read_csv(pd.io.common.StringIO(plan.to_diary_csv()), dtype=str,
                        keep_default_na=False)
    diary["sol_min"] = "20"                                  # every night slept and logged
    path = tmp_path / "filled.csv"
    diary.to_csv(path, index=False)
    read = read_diary(path, today=plan.end + dt.timedelta(days=2))
    for tau in (10.0, 11.5, 18.0):                          # the fit's median time constant
        found = separability(read, {"tau": np.full(100, tau)})
        assert found.withdrawals >= 1 and found.separable, tau
    short = plan_trial(["glycinate"], start=START, seed=1, washout_days=7)
    diary = pd.read_csv(pd.io.common.StringIO(short.to_diary_csv()), dtype=str,
                        keep_default_na=False).assign(sol_min="20")
    diary.to_csv(path, index=False)
    read = read_diary(path, today=short.end + dt.timedelta(days=2))
    assert not separability(read, {"tau": np.full(100, 11.5)}).separable   # the audit's


def test_plan_says_what_a_short_washout_and_taking_magnesium_now_mean(capsys):
    assert main(["plan", "--forms", "glycinate", "--start", START.isoformat(),
                 "--washout-days", "7"]) == 0
    said = capsys.readouterr().out
    assert "washouts of 7 nights may not count as a withdrawal" in said
    assert "Taking magnesium now? Stop it the night the baseline begins" in said
    assert main(["plan", "--forms", "glycinate", "--start", START.isoformat()]) == 0
    said = capsys.readouterr().out
    assert "may not count" not in said and "14   washout" in said
