"""The interval levels: what ``mgsleep priors`` prints and what the advice calls clear agree.

A maintainer's review (/tmp/w45/C F6): ``evidence_basis.CLEAR`` was 1.96 (a 95 % interval)
while ``mgsleep priors`` prints 90 % intervals, so a prior the table showed clear of zero
could be worded "no clear effect"; and two constants named ``LEVEL`` held 0.9 and 0.95.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from model.cli.main import main
from model.core.intervals import LEVEL
from model.core.progress import NO_PROGRESS
from model.core.special import normal_quantile
from model.decision.evidence_basis import CLEAR, finding
from model.evidence.priorset import load_priors
from model.inference.summary import INTERVAL, SUMMARY_LEVEL


def test_clear_is_the_level_mgsleep_priors_prints(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """CLEAR is the z of the interval level the priors table states in its header."""
    monkeypatch.setenv(NO_PROGRESS, "1")  # restored after the test: --no-progress sets it
    assert main(["--no-progress", "priors"]) == 0
    stated = re.search(r"ci_low, ci_high: ([\d.]+) % intervals", capsys.readouterr().out)
    assert stated is not None
    assert CLEAR == pytest.approx(normal_quantile(0.5 + float(stated[1]) / 200))


@pytest.mark.parametrize("ratio", [0.5, 1.5, 1.7, 1.8, 1.9, 2.0, 2.5, -1.8, -2.5])
def test_finding_is_clear_exactly_when_the_printed_interval_leaves_zero(ratio: float) -> None:
    """A direct prior whose ``ci_low``, ``ci_high`` (the rows ``mgsleep priors`` prints) lie
    on one side of zero is said to point somewhere; one spanning zero shows no clear effect."""
    priors = load_priors()
    key = ("glycinate", "quality")
    entry = dataclasses.replace(priors[key], mean=ratio * 0.1, sd=0.1, basis="direct")
    shown = dataclasses.replace(priors, entries=priors.entries | {key: entry})
    row = next(r for r in shown.rows() if (r["form"], r["outcome"]) == key)
    printed_clear = row["ci_low"] > 0 or row["ci_high"] < 0
    said = finding([entry])
    assert ("no clear effect" not in said) == printed_clear, (ratio, row, said)


def test_the_two_levels_are_named_apart() -> None:
    """The fits' summary level (0.95) has its own name, not a second ``LEVEL`` (0.9)."""
    assert SUMMARY_LEVEL == pytest.approx(INTERVAL[1] - INTERVAL[0]) == pytest.approx(0.95)
    assert LEVEL == pytest.approx(0.9)
