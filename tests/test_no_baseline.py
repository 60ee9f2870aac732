"""A diary with no nights off magnesium gets a withdrawal first (model/decision/baseline.py).

An outside audit (/tmp/jJ, F1) followed people who came to mgsleep already taking magnesium:
every diary night on it, no night off. The advice sent them through forms, dose steps and a
commitment "by design", null persons included, and never proposed the nights off that one
analysis needed to tell what their magnesium did. Known answers, with a toy posterior.
"""

import datetime as dt
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from model.core.forms import FORMS
from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision import DecisionSettings, decide, history
from model.decision.rules import nights_until
from model.evidence.priorset import load_priors
from model.personal.separability import separability
from model.personal.withdrawal import off_nights_needed
from model.testing import FakePosterior

START = pd.Timestamp("2026-09-01")


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def nights(n: int, form: str = "glycinate", mg: float = 200, start: pd.Timestamp = START,
           seed: int = 1) -> pd.DataFrame:
    """``n`` diary rows from ``start`` on ``form`` at ``mg`` ("" and 0 mg: none)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=n, freq="D")
    return pd.DataFrame({
        "date": dates.strftime("%Y-%m-%d"), "form": form, "elemental_mg": mg if form else "",
        "sol_min": np.round(np.exp(np.log(30) + rng.normal(0, 0.45, n))),
        "awakenings": rng.poisson(1.5, n), "quality": rng.integers(2, 5, n),
        "stool_bristol": np.clip(np.round(4 + rng.normal(0, 0.7, n)), 1, 7).astype(int)})


def on_magnesium(n: int = 60, mg: float = 200, baseline: int = 0) -> pd.DataFrame:
    """The audit's diary: ``n`` nights of glycinate, after ``baseline`` nights without."""
    before = nights(baseline, "", 0, seed=2)
    return pd.concat([before, nights(n, mg=mg, start=START + pd.Timedelta(days=baseline))],
                     ignore_index=True)


def then_off(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """``frame`` followed by ``n`` recorded nights without magnesium."""
    after = pd.Timestamp(frame["date"].iloc[-1]) + pd.Timedelta(days=1)
    return pd.concat([frame, nights(n, "", 0, start=after, seed=3)], ignore_index=True)


def entangled() -> FakePosterior:
    """Glycinate plus expectation is known, the split is not (a diary all on magnesium)."""
    return FakePosterior(n_draws=1000, benefit={"glycinate": 0.3}, expectation=0.3,
                         expectation_sd=0.4, entangled={"glycinate": 1.0})


def with_onset(model, days: float):
    """Predictions that carry the fit's build-up time constant (``onset_days``) per draw."""
    def predict(regimens):
        data = model(regimens)
        return data.assign(onset_days=("draw", np.full(data.sizes["draw"], days)))
    return predict


def advise(frame: pd.DataFrame, priors, model=None, separable: bool = False, **kw):
    diary = read_diary(frame)
    as_of = dt.date.fromisoformat(frame["date"].iloc[-1])
    return decide(model or entangled(), priors=priors, diary=diary, as_of=as_of,
                  separable=separable, **kw), as_of


def withdrawal_nights(rec) -> int:
    """The nights the headline asks for, checked against the review date."""
    said = re.match(r"Stop glycinate 200 mg for (\d+) nights, then take it again", rec.reasons[0])
    assert said, rec.reasons[0]
    return int(said.group(1))


def test_a_diary_all_on_magnesium_gets_a_withdrawal_first(priors):
    decision, as_of = advise(on_magnesium(), priors)
    rec = decision.recommendation
    assert rec.action == "withdrawal" and rec.regimen is not None and not rec.regimen.active
    assert {"no_baseline", "withdrawal_test"} <= set(rec.reason_codes)
    assert not rec.commit and "learn" not in rec.reason_codes      # a rule, not a pick
    n = withdrawal_nights(rec)
    assert n == nights_until(rec.next_review, as_of)             # the words and the date agree
    assert n >= off_nights_needed()                              # at the prior's 10 days
    said = " ".join(rec.reasons)
    assert "no nights without magnesium" in said and "mgsleep plan --blind" in said
    assert "nothing left to learn" not in said
    # the model's own step was a switch of the planned crossover
    model = decide(entangled(), priors=priors, diary=read_diary(on_magnesium()), as_of=as_of,
                   separable=False, settings=DecisionSettings(experiment_periods=0.0))
    assert model.recommendation.action != "withdrawal"


def test_the_next_analysis_counts_the_withdrawal_and_the_rule_is_done(priors):
    for days in (10.0, 30.0):
        taus = {"tau": np.full(100, days)}
        decision, _ = advise(on_magnesium(), priors, with_onset(entangled(), days))
        n = withdrawal_nights(decision.recommendation)
        assert n >= off_nights_needed(taus)
        after = then_off(on_magnesium(), n)
        apart = separability(read_diary(after), taus)
        assert apart.withdrawals == 1 and apart.separable
        from model.decision.baseline import no_baseline
        assert not no_baseline(history(read_diary(after)))
        for separable in (True, False):
            again, _ = advise(after, priors, with_onset(entangled(), days), separable)
            assert "no_baseline" not in again.recommendation.reason_codes


def test_the_withdrawal_is_never_shorter_than_the_separability_rule_asks(priors):
    # a slow build-up (30 days) and a fixed 14-night period: 21 nights off are needed
    fixed = DecisionSettings(period_from_kinetics=False)
    decision, as_of = advise(on_magnesium(), priors, with_onset(entangled(), 30.0),
                             settings=fixed)
    rec = decision.recommendation
    assert rec.action == "withdrawal"
    assert withdrawal_nights(rec) == off_nights_needed({"tau": np.array([30.0])}) == 21
    assert nights_until(rec.next_review, as_of) == 21


def test_a_baseline_or_a_few_nights_skipped(priors):
    with_baseline, _ = advise(on_magnesium(baseline=14), priors)
    assert "no_baseline" not in with_baseline.recommendation.reason_codes
    skipped = on_magnesium()
    skipped.loc[[20, 40], ["form", "elemental_mg"]] = ["", ""]   # two nights forgotten
    decision, _ = advise(skipped, priors)
    assert "no_baseline" in decision.recommendation.reason_codes
    too_few_on, _ = advise(on_magnesium(n=10), priors)
    assert "no_baseline" not in too_few_on.recommendation.reason_codes


def test_above_the_ceiling_the_dose_comes_down_not_a_withdrawal(priors):
    # oxide 600 mg is above the ceiling read either way (362 mg as the compound): the ceiling's
    # step; glycinate 400 mg may be a label's weight (56 mg): the compound question
    decision, _ = advise(on_magnesium(mg=600).assign(form="oxide"), priors)
    rec = decision.recommendation
    assert "no_baseline" not in rec.reason_codes and rec.action != "withdrawal"
    assert "current_above_ceiling" in rec.reason_codes
    assert rec.regimen is not None and rec.regimen.elemental_mg <= 350
    assert not any(a.action == "withdrawal" for a in decision.assessments)


def test_a_referral_and_a_harm_come_first(priors):
    refer, _ = advise(on_magnesium(), priors, profile=Profile(egfr=25))
    assert refer.recommendation.action == "refer"
    assert "no_baseline" not in refer.recommendation.reason_codes
    harmful = replace(entangled(), benefit={"glycinate": -1.5}, expectation=0.0,
                      expectation_sd=0.0, entangled={}, benefit_sd=0.05)
    harm, _ = advise(on_magnesium(), priors, harmful)
    rec = harm.recommendation
    assert harm.p_harm >= 0.8 and rec.action == "stop" and "harm" in rec.reason_codes
    assert "no_baseline" not in rec.reason_codes


def test_loose_stools_now_have_no_withdrawal(priors):
    loose = on_magnesium()
    loose.loc[loose.index[-3:], "stool_bristol"] = 7
    decision, _ = advise(loose, priors)
    rec = decision.recommendation
    assert "acute_gi" in rec.reason_codes and rec.action != "withdrawal"


def test_a_week_of_very_high_anxiety_holds_the_withdrawal(priors):
    hard = on_magnesium()
    hard["anxiety"] = 3
    hard.loc[hard.index[-6:], "anxiety"] = 9
    decision, _ = advise(hard, priors)
    rec = decision.recommendation
    assert "hard_week" in rec.reason_codes and rec.action != "withdrawal"


def test_every_form_of_the_model_is_open_after_the_withdrawal(priors):
    """The rule delays the crossover, it does not replace it: after the nights off, the
    model's own step comes back (here without magnesium: a start or a return)."""
    after = then_off(on_magnesium(), 17)
    decision, _ = advise(after, priors, separable=True)
    assert {a.regimen.form for a in decision.assessments if a.action == "start"} >= set(FORMS)


# --------------------------------------------------------------------------------------------
# Above the ceiling: a lower allowed dose is offered, not only the ceiling or stopping (F4)
# --------------------------------------------------------------------------------------------


def lower_doses(decision) -> dict[float, bool]:
    """The doses of the assessed ``decrease_dose`` steps, and whether each is open."""
    return {a.regimen.elemental_mg: a.feasible for a in decision.assessments
            if a.action == "decrease_dose"}


def test_above_the_ceiling_every_lower_allowed_dose_is_assessed(priors):
    decision, _ = advise(on_magnesium(mg=600).assign(form="oxide"), priors)   # as above
    assert set(lower_doses(decision)) == {350, 300, 200, 100}
    rec = decision.recommendation
    assert rec.action in ("decrease_dose", "stop") and rec.regimen is not None
    assert rec.regimen.elemental_mg <= 350
    assert rec.reasons[0].endswith("the dose must come down to at most 350 mg a day, or stop.")


def test_a_lower_dose_within_the_gi_limit_is_open_when_the_ceiling_is_not(priors):
    """Citrate 400 mg with loose stools: 350 mg broke the GI chance constraint, and "Stop
    taking magnesium ... the only step allowed now" was the answer; 200 or 100 mg are not.
    Oxide 600 mg now: citrate 400 mg may be a label's weight (65 mg), asked first."""
    loose = on_magnesium(mg=600).assign(form="oxide")
    loose.loc[loose.index[-7:], "stool_bristol"] = [6, 7, 4, 6, 4, 4, 6]
    harsh = FakePosterior(n_draws=1000, gi={"oxide": 1.0}, benefit={"oxide": 0.2})
    decision, _ = advise(loose, priors, harsh)
    doses = lower_doses(decision)
    assert not doses[350] and doses[200] and doses[100]
    rec = decision.recommendation
    assert "forced" not in rec.reason_codes and "acute_gi" in rec.reason_codes
    assert rec.regimen is not None and rec.regimen.elemental_mg <= 200


def test_a_stack_over_the_limit_says_which_product_the_advice_changes(priors):
    stack = Profile(medications=("magnesium citrate 150 mg",))
    decision, _ = advise(on_magnesium(mg=300), priors, profile=stack)
    assert set(lower_doses(decision)) == {200, 100}
    why = decision.recommendation.reasons[0]
    assert "(after 150 mg a day of magnesium from other products)" in why
    assert "at most 200 mg a day, or stop" in why
    assert "stopping means stopping it, not your other magnesium (150 mg a day)" in why


def test_the_supplement_listed_among_the_medications_gets_one_message(priors):
    """"Magnesium glycinate 200 mg" in the profile of a person whose diary records glycinate
    200 mg: "counts with your supplement's towards the limit ... ask a pharmacist" stood
    beside "is the supplement your diary records, so it is not counted" (an outside audit)."""
    listed = Profile(medications=("Magnesium glycinate 200 mg",))
    decision, _ = advise(on_magnesium(baseline=14), priors, profile=listed)
    said = [w for w in decision.recommendation.warnings if "Magnesium glycinate 200 mg" in w]
    assert len(said) == 1 and "is the supplement your diary records" in said[0]
    assert not any("counts with your supplement" in w for w in decision.recommendation.warnings)
    # another magnesium product still gets its rule
    other = Profile(medications=("magnesium citrate 150 mg",))
    decision, _ = advise(on_magnesium(baseline=14), priors, profile=other)
    assert any(w.startswith("magnesium citrate 150 mg") for w in decision.recommendation.warnings)
