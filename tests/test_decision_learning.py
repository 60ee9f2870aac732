"""The decision that learns: link-scale gains, the knowledge gradient, commit, experiments."""

import datetime as dt
import math
import re
import warnings
from dataclasses import replace
from functools import partial
from statistics import NormalDist

import numpy as np
import pytest
import xarray as xr

from model.core.forms import FORMS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile
from model.decision import DecisionSettings, History, decide
from model.decision.candidates import EXPERIMENTS
from model.decision.gi_words import gentler_line
from model.decision.learning import (
    DrawMoments,
    build_up_share,
    knowledge_gradient,
    knowledge_gradient_star,
)
from model.decision.rules import evaluation_nights
from model.evidence.priorset import load_priors
from model.report.how_sure import how_sure
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def on(form: str, mg: float, nights: int = 30, tried: tuple[str, ...] = (),
       gi: int = 0) -> History:
    """``nights`` on a regimen after a 14-night baseline (without one, the no-baseline rule
    takes a withdrawal first: tests/test_no_baseline.py)."""
    regimen = Regimen(form, mg)
    return History(regimen, nights, frozenset({form, *tried}), gi,
                   {NO_MAGNESIUM: 14, regimen: nights})


def assert_exploits(decision) -> None:
    """Nothing is valued for what it teaches: the greedy regimen, committed."""
    rec = decision.recommendation
    assert rec.commit and all(a.learning_value == 0 for a in decision.assessments)
    greedy = max((a for a in decision.assessments if a.feasible and a.action not in EXPERIMENTS),
                 key=lambda a: a.expected_utility)
    assert rec.regimen == greedy.regimen


def symmetric_awakenings(regimens):
    """Glycinate multiplies awakenings by exp(z), z = +-0.8 (antithetic): symmetric on the
    log scale, so the diary-scale mean rises (exp is convex) while the log-scale gain is 0."""
    z = np.array([0.8, -0.8] * 500)
    rows = {}
    for r in regimens:
        factor = np.exp(z) if r.active and r.form == "glycinate" else np.ones(z.size)
        rows[r.label] = {"awakenings": 2.0 * factor, "gi_rate": np.full(z.size, 0.05)}
    return xr.Dataset({v: (("regimen", "draw"), np.stack([rows[r.label][v] for r in regimens]))
                       for v in ("awakenings", "gi_rate")},
                      coords={"regimen": [r.label for r in regimens]})


def test_a_symmetric_posterior_is_not_scored_as_harm(priors):
    decision = decide(symmetric_awakenings, priors=priors, as_of=AS_OF)
    start = next(a for a in decision.assessments if a.regimen == Regimen("glycinate", 100))
    assert start.expected_utility == pytest.approx(-DecisionSettings().switching_cost)
    # on the diary scale the same draws show a loss of 2 (cosh 0.8 - 1) = 0.67 awakenings:
    # the expected change says it as the effects do (an outside audit, A F2: one slope said
    # a share of GI nights of 1.21), the link-scale utility does not count it
    diary = symmetric_awakenings([NO_MAGNESIUM, Regimen("glycinate", 100)])["awakenings"]
    loss = float(diary.mean("draw")[1] - diary.mean("draw")[0])
    assert loss == pytest.approx(2.0 * (math.cosh(0.8) - 1))
    assert start.gain["awakenings"] == pytest.approx(-loss)
    # the symmetric spread is not harm, it is something to learn
    assert start.learning_value > 0


def test_moments_without_a_group_of_draws_are_those_of_the_remaining_draws():
    # the jackknife of the close call leaves each batch out by subtracting its sums; it must
    # equal the moments of the draws that remain (offset draws: no cancellation either)
    rng = np.random.default_rng(3)
    utility = 5.0 + rng.standard_normal((4, 103))
    observed = -2.0 + rng.standard_normal((3, 103)) + 0.5 * utility[:3]
    groups = [slice(0, 13), slice(40, 52), slice(90, 103)]
    for group, moments in zip(groups, DrawMoments.without_each(utility, observed, groups),
                              strict=True):
        keep = np.delete(np.arange(103), np.arange(103)[group])
        direct = DrawMoments.of(utility[:, keep], observed[:, keep])
        u = utility[:, keep] - utility[:, keep].mean(axis=1, keepdims=True)
        o = observed[:, keep] - observed[:, keep].mean(axis=1, keepdims=True)
        for got, want in ((moments.mean, utility[:, keep].mean(axis=1)),
                          (moments.cov, u @ o.T / keep.size), (moments.var, o.var(axis=1)),
                          (direct.cov, u @ o.T / keep.size)):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_the_knowledge_gradient_of_one_normal_arm_is_known():
    # U_a ~ N(0, s^2) against a sure 0; a period shows U_a plus noise of variance v:
    # KG = E[max(0, m')] with m' ~ N(0, s^4 / (s^2 + v)) = sd(m') / sqrt(2 pi)
    rng = np.random.default_rng(0)
    s, v = 1.5, 2.0
    u = np.vstack([np.zeros(200_000), s * rng.standard_normal(200_000)])
    kg = knowledge_gradient(u, u[1:], np.array([v]))
    assert kg[0] == pytest.approx(s**2 / math.sqrt(s**2 + v) / math.sqrt(2 * math.pi),
                                  rel=0.02)
    assert knowledge_gradient(u, np.zeros((1, u.shape[1])), np.array([v]))[0] == 0.0


def test_kg_star_values_an_option_one_period_cannot_flip():
    # U_a ~ N(-1, 1) against a sure 0, noise 4 per period: after m periods the mean moves by
    # N(0, s_m^2), s_m = 1 / sqrt(1 + 4 / m), and KG_m = s_m phi(1 / s_m) - Phi(-1 / s_m);
    # one period rarely lifts the mean above 0, three often do: KG(*) = max_m KG_m / m (m = 3)
    rng = np.random.default_rng(1)
    u = np.vstack([np.zeros(200_000), rng.normal(-1.0, 1.0, 200_000)])
    noise = np.array([4.0])
    normal = NormalDist()

    def exact(m: int) -> float:
        sd = 1 / math.sqrt(1 + 4 / m)
        return sd * normal.pdf(1 / sd) - normal.cdf(-1 / sd)

    star = knowledge_gradient_star(u, u[1:], noise, 3)[0]
    assert star == pytest.approx(max(exact(m) / m for m in (1, 2, 3)), rel=0.1)
    assert star == pytest.approx(exact(3) / 3, rel=0.1)
    assert star > 2.5 * knowledge_gradient(u, u[1:], noise)[0]
    assert knowledge_gradient_star(u, u[1:], noise, 1)[0] == knowledge_gradient(u, u[1:], noise)[0]


def test_the_evaluation_period_follows_the_kinetics():
    s = DecisionSettings()
    assert evaluation_nights(10.0, s) == math.ceil(-10 * math.log(0.2)) == 17
    assert evaluation_nights(2.0, s) == s.floor_nights == 7
    assert evaluation_nights(40.0, s) == s.max_period_nights
    assert build_up_share(30, 1.0) > build_up_share(30, 20.0)


def test_the_evaluation_period_uses_the_posterior_build_up(priors):
    slow = FakePosterior(n_draws=500)

    def predict(regimens):
        return slow(regimens).assign(onset_days=("draw", np.full(500, 5.0)))

    rec = decide(predict, priors=priors, diary=on("glycinate", 200, nights=3),
                 as_of=AS_OF).recommendation
    assert rec.next_review == AS_OF + dt.timedelta(days=9 - 3 + 1)   # 5 x ln 5 = 8.05 -> 9


def test_a_clear_dose_responder_below_the_ceiling_raises_the_dose(priors):
    responder = FakePosterior(n_draws=2000, benefit={"glycinate": 0.3}, gi={"glycinate": 0.0},
                              benefit_sd=0.05)
    rec = decide(responder, priors=priors, diary=on("glycinate", 200), as_of=AS_OF)
    assert rec.recommendation.action == "increase_dose"
    assert rec.recommendation.regimen == Regimen("glycinate", 300)
    capped = decide(responder, priors=priors, diary=on("glycinate", 200), as_of=AS_OF,
                    profile=Profile(max_elemental_mg=200)).recommendation
    assert capped.regimen is None or capped.regimen.elemental_mg <= 200


def test_strong_evidence_for_glycinate_after_a_crossover_commits(priors):
    clear = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0) | {"glycinate": 0.6},
                          gi={"glycinate": 0.0}, benefit_sd=0.05)
    decision = decide(clear, priors=priors, diary=on("glycinate", 300, tried=("citrate",)),
                      as_of=AS_OF)
    rec = decision.recommendation
    assert (rec.action, rec.regimen, rec.commit) == ("continue", Regimen("glycinate", 300), True)
    assert rec.reason_codes == ("commit",)
    assert all(a.expected_utility < 0 for a in decision.alternatives)


def test_an_uncertain_form_is_tried_to_learn_and_says_so(priors):
    # glycinate is known to be slightly better now, but the other forms are wide open
    open_question = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                                  | {"glycinate": 0.05}, gi=dict.fromkeys(FORMS, 0.0),
                                  benefit_sd=0.3)
    rec = decide(open_question, priors=priors, diary=on("glycinate", 200), as_of=AS_OF,
                 separable=False, settings=DecisionSettings(crossover_forms=0)).recommendation
    assert "learn" in rec.reason_codes and not rec.commit
    assert any(r.startswith("Chosen to learn") for r in rec.reasons)


def test_at_the_end_of_a_trial_nothing_is_chosen_to_learn(priors):
    # the same open question with no nights left: the regimen best now, committed
    open_question = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                                  | {"glycinate": 0.05}, gi=dict.fromkeys(FORMS, 0.0),
                                  benefit_sd=0.3)
    ask = partial(decide, open_question, priors=priors, diary=on("glycinate", 200), as_of=AS_OF,
                  separable=False)
    ending = ask(horizon_nights=0)
    assert "learn" not in ending.recommendation.reason_codes
    assert_exploits(ending)
    # with a period or more left, learning counts as without an end date
    assert ask(horizon_nights=28).recommendation == ask().recommendation
    assert "learn" in ask(horizon_nights=28).recommendation.reason_codes


def entangled(benefit: float) -> FakePosterior:
    """After a before/after diary: glycinate plus expectation is known, the split is not."""
    return FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                         | {"glycinate": benefit}, gi={"glycinate": 0.0}, benefit_sd=0.05,
                         expectation=0.2, expectation_sd=0.5, entangled={"glycinate": 1.0})


def test_a_diary_that_cannot_separate_magnesium_gets_a_placebo_period(priors):
    decision = decide(entangled(0.1), priors=priors, diary=on("glycinate", 200), as_of=AS_OF,
                      separable=False)
    rec = decision.recommendation
    assert rec.action == "placebo_period" and rec.regimen == Regimen("placebo")
    assert set(rec.reason_codes) == {"learn", "placebo_test", "expectation_not_separable"}
    assert "mgsleep plan --blind" in rec.reasons[0]
    by_action = {a.action: a for a in decision.assessments}
    # a withdrawal shows only the sum (magnesium + expectation), which is already known
    assert by_action["placebo_period"].learning_value > 10 * by_action["withdrawal"].learning_value
    assert by_action["placebo_period"].p_best == 0.0      # an experiment is not a regimen
    separable = decide(entangled(0.1), priors=priors, diary=on("glycinate", 200), as_of=AS_OF,
                       separable=True)
    assert not {"placebo_period", "withdrawal"} & {a.action for a in separable.assessments}


def test_after_the_crossover_a_diary_that_cannot_separate_still_gets_a_placebo_period(priors):
    # an outside audit: sleep improving steadily from the first night, three forms tried,
    # glycinate "probably helps (P 0.92)" and the advice settled "by design", the placebo
    # period and the withdrawal valued at nothing (the learning horizon is zero once the
    # crossover is over): only an experiment can tell magnesium from drift
    done = on("glycinate", 200, tried=("taurate", "threonate"))
    rec = decide(entangled(0.1), priors=priors, diary=done, as_of=AS_OF,
                 separable=False).recommendation
    assert rec.action == "placebo_period" and "learn" in rec.reason_codes
    without = decide(entangled(0.1), priors=priors, diary=done, as_of=AS_OF, separable=False,
                     settings=DecisionSettings(experiment_periods=0.0)).recommendation
    assert without.action not in EXPERIMENTS
    # at the end of a trial of known length nothing is taken to learn, experiments neither
    ending = decide(entangled(0.1), priors=priors, diary=done, as_of=AS_OF, separable=False,
                    horizon_nights=3).recommendation
    assert ending.action not in EXPERIMENTS


def test_no_experiment_returns_to_a_dose_the_rules_do_not_keep(priors):
    # the clinical review: "take a blinded placebo ..., then go back to citrate@500" for a
    # person whose ceiling is 350 mg; the step must bring the dose within the ceiling
    # oxide 600 mg: above the ceiling read either way (glycinate 500 mg may be a label's weight)
    above = decide(entangled(0.1), priors=priors, diary=on("oxide", 600), as_of=AS_OF,
                   separable=False)
    actions = {a.action for a in above.assessments}
    assert not {"placebo_period", "withdrawal"} & actions
    rec = above.recommendation
    assert rec.regimen is not None and rec.regimen.elemental_mg <= 350
    assert "current_above_ceiling" in rec.reason_codes


def entangled_with_gi(benefit: float, gi: float) -> FakePosterior:
    """:func:`entangled` with glycinate's GI log-odds shift at ``gi``."""
    return replace(entangled(benefit), gi={"glycinate": gi})


@pytest.mark.parametrize("gi_shift, gi_nights", [(4.0, 0), (0.0, 6)])
def test_no_experiment_returns_to_a_regimen_that_gives_loose_stools(priors, gi_shift,
                                                                    gi_nights):
    # 6 GI nights in the last 7 on glycinate 300 mg, continuing it blocked by the GI
    # constraint: the advice was "take a blinded placebo instead ..., then go back to it"
    diary = on("glycinate", 300, gi=gi_nights)
    decision = decide(entangled_with_gi(0.3, gi_shift), priors=priors, diary=diary,
                      as_of=AS_OF, separable=False)
    experiments = [a for a in decision.assessments if a.action in EXPERIMENTS]
    assert {a.action for a in experiments} == EXPERIMENTS        # assessed, not open
    for a in experiments:
        assert not a.feasible and a.blocked_by[0].startswith("it returns to glycinate 300 mg")
    assert decision.recommendation.action not in EXPERIMENTS
    kept = decide(entangled_with_gi(0.3, 0.0), priors=priors, diary=on("glycinate", 300),
                  as_of=AS_OF, separable=False)
    assert all(a.feasible for a in kept.assessments if a.action in EXPERIMENTS)


def test_expectation_is_not_credited_to_magnesium(priors):
    placebo_responder = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0),
                                      gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.01,
                                      expectation=0.8)
    decision = decide(placebo_responder, priors=priors, as_of=AS_OF)
    starts = [a for a in decision.assessments if a.action == "start"]
    assert all(abs(a.gain["sol_min"]) < 0.5 for a in starts)   # minutes: ~0, not 55 % less
    assert all(a.expected_utility < 0 for a in starts)
    # any start is then below staying off: it can only be a step taken to learn, and says so
    rec = decision.recommendation
    assert rec.action == "continue" or "learn" in rec.reason_codes


def test_returning_to_a_form_already_judged_does_not_wait(priors):
    model = FakePosterior(n_draws=1000, benefit={"glycinate": 0.5, "threonate": -0.2},
                          gi={"glycinate": 0.0, "threonate": 0.0}, benefit_sd=0.05)
    past = History(Regimen("threonate", 200), 7, frozenset({"glycinate", "threonate"}), 0,
                   {Regimen("glycinate", 200): 28, Regimen("threonate", 200): 7})
    decision = decide(model, priors=priors, diary=past, as_of=AS_OF)
    back = next(a for a in decision.assessments if a.regimen == Regimen("glycinate", 200))
    assert back.feasible
    assert decision.recommendation.regimen == Regimen("glycinate", 200)
    other = next(a for a in decision.assessments if a.regimen == Regimen("taurate", 200))
    assert other.reason_codes == ("waiting",)


def test_stopping_is_no_return_to_a_judged_regimen_and_waits_for_the_period(priors):
    # an outside audit: 7 nights into threonate after a 20-night baseline, "Stop taking
    # magnesium. Why: To learn" beside "changes wait 10 more nights" (the baseline counted
    # as a regimen already judged, so stopping skipped the period the advice had just set)
    model = FakePosterior(n_draws=1000, benefit=dict.fromkeys(FORMS, 0.0),
                          gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.3)
    past = History(Regimen("threonate", 100), 7, frozenset({"threonate"}), 0,
                   {NO_MAGNESIUM: 20, Regimen("threonate", 100): 7})
    decision = decide(model, priors=priors, diary=past, as_of=AS_OF)
    stop = next(a for a in decision.assessments if a.action == "stop")
    assert stop.reason_codes == ("waiting",)
    assert decision.recommendation.action == "continue"


def test_acute_gi_names_the_gentlest_step_unless_the_advice_is_a_gentler_step(priors):
    """A reader audit: "Switch to taurate 200 mg" above "the gentlest step open now is to
    lower the dose to glycinate 100 mg": which to take tonight? A gentler step advised is the
    step; beside continuing (or stopping) the gentlest way to go on is named."""
    harsh = FakePosterior(n_draws=1000, gi={"citrate": 2.5, "glycinate": 0.0})
    decision = decide(harsh, priors=priors, diary=on("citrate", 300, nights=5, gi=3),
                      as_of=AS_OF)
    rec = decision.recommendation
    assert "acute_gi" in rec.reason_codes and rec.action == "switch_form"
    assert not any("the gentlest step open now is" in r for r in rec.reasons)
    in_turn = sorted(decision.assessments, key=lambda a: a.action != "continue")  # as explain's
    assert gentler_line(in_turn[0], in_turn, DecisionSettings()).startswith(
        "If loose stools or stomach upset go on and you keep taking magnesium, the gentlest "
        "step open now is to ")


def test_a_gi_problem_opens_a_switch_to_a_gentler_form_only(priors):
    # five nights into citrate with three GI nights: the period is not over, yet safety opens
    # a switch to a form gentler for this person (glycinate), never to a harsher one (oxide)
    harsh = FakePosterior(n_draws=1000, gi=dict.fromkeys(FORMS, 0.0)
                          | {"citrate": 2.5, "oxide": 3.5, "glycinate": -0.5})
    decision = decide(harsh, priors=priors, diary=on("citrate", 300, nights=5, gi=3),
                      as_of=AS_OF)
    codes = {a.regimen.form: set(a.reason_codes) for a in decision.assessments
             if a.action == "switch_form"}
    assert "waiting" not in codes["glycinate"]
    assert "waiting" in codes["oxide"]
    mild = FakePosterior(n_draws=1000, gi=dict.fromkeys(FORMS, 0.0) | {"glycinate": -0.5})
    calm = decide(mild, priors=priors, diary=on("citrate", 300, nights=5, gi=0), as_of=AS_OF)
    assert all("waiting" in a.reason_codes for a in calm.assessments
               if a.action == "switch_form")


def test_the_readme_documents_every_reason_code():
    from pathlib import Path

    from model.decision.reason_codes import REASON_CODES
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    table = readme[readme.index("| code | meaning |"):]
    table = table[:table.index("\n\n")]
    documented = {code for line in table.splitlines()[2:]
                  for code in re.findall(r"`([a-z_]+)`", line.split("|")[1])}
    assert documented == set(REASON_CODES)


def test_a_large_effect_is_not_understated_by_the_slope():
    from model.decision.gains import diary_gains

    def gain(variable, changed, against):
        return diary_gains({variable: np.vstack([changed, against])}, np.array([0]),
                           np.array([1]))[0, 0]

    halved = np.full(4, 20.0)        # 40 -> 20 minutes: the true gain is 20 minutes
    before = np.full(4, 40.0)
    assert gain("sol_min", halved, before) == pytest.approx(np.full(4, 20.0), rel=0.05)
    assert gain("sol_min", before, halved) == pytest.approx(-gain("sol_min", halved, before))
    risky = np.full(3, 0.30)         # GI nights 5 % -> 30 %: a loss of 0.25
    assert gain("gi_rate", risky, np.full(3, 0.05)) == pytest.approx(np.full(3, -0.25),
                                                                    rel=0.3)


def test_gains_of_many_pairs_are_each_pairs_gain_in_the_better_direction():
    from model.decision.gains import diary_gains

    rng = np.random.default_rng(3)
    means = {"sol_min": rng.gamma(4, 8, (5, 200)), "awakenings": rng.gamma(3, 0.5, (5, 200)),
             "quality": rng.uniform(1.5, 4.5, (5, 200)), "gi_rate": rng.beta(2, 20, (5, 200))}
    rows, against = np.array([1, 2, 3, 4, 0, 2]), np.array([0, 0, 0, 0, 0, 4])
    gains = diary_gains(means, rows, against)
    assert gains.shape == (6, 4, 200)
    for a, (i, j) in enumerate(zip(rows, against, strict=True)):   # all pairs = one at a time
        alone = diary_gains(means, np.array([i]), np.array([j]))[0]
        assert gains[a] == pytest.approx(alone)
        assert gains[a] == pytest.approx(-diary_gains(means, np.array([j]), np.array([i]))[0])
    assert np.all(gains[4] == 0)            # a regimen against itself gains nothing
    # fewer minutes to fall asleep is a gain: row 1 has 20 % shorter nights than row 0
    shorter = {"sol_min": np.vstack([np.full(3, 40.0), np.full(3, 32.0)])}
    assert np.all(diary_gains(shorter, np.array([1]), np.array([0])) > 0)


def test_the_crossover_tries_the_most_promising_untried_form_at_the_same_dose(priors):
    # every form alike and open: the next form of the crossover, not more nights of this one
    open_forms = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                               | {"taurate": 0.1}, gi=dict.fromkeys(FORMS, 0.0),
                               benefit_sd=0.3)
    decision = decide(open_forms, priors=priors, diary=on("glycinate", 300), as_of=AS_OF)
    rec = decision.recommendation
    assert (rec.action, rec.regimen) == ("switch_form", Regimen("taurate", 300))
    assert rec.reason_codes[0] == "crossover" and not rec.commit
    assert any("Planned crossover, form 2 of 3" in r for r in rec.reasons)
    # a form already tried is not tried again by the crossover
    again = decide(open_forms, priors=priors, diary=on("glycinate", 300, tried=("taurate",)),
                   as_of=AS_OF).recommendation
    assert again.regimen.form not in {"taurate"} and "crossover" in again.reason_codes


def test_a_crossover_step_below_the_best_expected_says_so_truly(priors):
    # the trial-runner audit: "glycinate has the higher expected utility (+6.05 vs +2.79),
    # but what threonate will teach is worth more (learning value 0.05)"
    works = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0) | {"glycinate": 0.3},
                          gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.5)
    rec = decide(works, priors=priors, diary=on("glycinate", 300), as_of=AS_OF).recommendation
    assert rec.reason_codes[0] == "crossover" and rec.regimen.form != "glycinate"
    said = " ".join(rec.reasons)
    assert "will teach is worth more" not in said
    assert "The best expected now is " in said
    assert f"; {rec.regimen.form} is tried as it may still be better for you." in said


def test_after_the_crossover_the_decision_exploits_and_commits(priors):
    # three forms tried, the same open posterior: no more learning, the greedy regimen
    open_forms = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                               | {"glycinate": 0.2}, gi=dict.fromkeys(FORMS, 0.0),
                               benefit_sd=0.3)
    done = on("glycinate", 300, tried=("taurate", "threonate"))
    decision = decide(open_forms, priors=priors, diary=done, as_of=AS_OF)
    assert "crossover" not in decision.recommendation.reason_codes
    assert_exploits(decision)


def test_the_crossover_never_leaves_a_form_that_clearly_works(priors):
    clear = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0) | {"glycinate": 0.6},
                          gi={"glycinate": 0.0}, benefit_sd=0.05)
    rec = decide(clear, priors=priors, diary=on("glycinate", 300), as_of=AS_OF).recommendation
    assert "crossover" not in rec.reason_codes
    assert rec.regimen is not None and rec.regimen.form == "glycinate"


def test_the_crossover_does_not_leave_a_working_form_for_a_long_shot(priors):
    # an outside audit: glycinate 200 mg "works for you" (expected utility +5.7), threonate
    # did nothing; the third crossover step went to taurate (+2.6, P(best) 0.09) instead of
    # back to glycinate: a form with little chance of beating the best one tried is not tried
    works = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0) | {"glycinate": 0.6},
                          gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.5)
    g200, t200 = Regimen("glycinate", 200), Regimen("threonate", 200)
    past = History(t200, 19, frozenset({"glycinate", "threonate"}), 0,
                   {NO_MAGNESIUM: 21, g200: 42, t200: 19})
    rec = decide(works, priors=priors, diary=past, as_of=AS_OF).recommendation
    assert "crossover" not in rec.reason_codes
    assert (rec.action, rec.regimen) == ("switch_form", g200)


def test_going_back_to_a_form_restarts_it_at_the_dose_taken(priors):
    """Start low is for a form not yet tolerated: after a break from glycinate 300 mg, which
    worked, the way back is glycinate 300 mg, not the 200 mg of a first start."""
    clear = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0) | {"glycinate": 0.6},
                          gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.05)
    taken = Regimen("glycinate", 300)
    pause = History(NO_MAGNESIUM, 20, frozenset({"glycinate"}), 0,
                    {NO_MAGNESIUM: 34, taken: 28})
    decision = decide(clear, priors=priors, diary=pause, as_of=AS_OF)
    assert (decision.recommendation.action, decision.recommendation.regimen) == ("start", taken)
    starts = {a.regimen for a in decision.assessments if a.action == "start"}
    assert {Regimen("glycinate", 100), Regimen("glycinate", 200), taken} <= starts
    assert Regimen("taurate", 300) not in starts          # a form never taken starts low
    # above a lower ceiling, or of a form now excluded, it is not offered again
    capped = decide(clear, priors=priors, diary=pause, as_of=AS_OF,
                    profile=Profile(max_elemental_mg=250))
    assert taken not in {a.regimen for a in capped.assessments}
    excluded = decide(clear, priors=priors, diary=pause, as_of=AS_OF,
                      profile=Profile(excluded_forms=("glycinate",)))
    assert not any(a.regimen.form == "glycinate" for a in excluded.assessments)


def test_no_commitment_while_the_crossover_has_a_form_held_back_for_now(priors):
    """Taurate, untried, may be better than glycinate; only a GI chance just above the limit
    holds it back: keeping glycinate is no commitment, since the next period may open it."""
    def with_taurate_gi(shift: float) -> FakePosterior:
        return FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                             | {"glycinate": 0.6, "taurate": 0.7},
                             gi=dict.fromkeys(FORMS, 3.0) | {"glycinate": 0.0, "taurate": shift},
                             benefit_sd=0.05)

    diary = on("glycinate", 300, tried=("citrate",))
    decision = decide(with_taurate_gi(0.8), priors=priors, diary=diary, as_of=AS_OF)
    rec = decision.recommendation
    taurate = next(a for a in decision.assessments if a.regimen == Regimen("taurate", 300))
    assert not taurate.feasible and 0.2 < taurate.p_constraint_violation <= 0.3
    assert (rec.action, rec.regimen, rec.commit) == (
        "collect_more_data", Regimen("glycinate", 300), False)
    assert rec.reason_codes == ("collect", "crossover_held")
    assert "not as a commitment: the planned crossover still has taurate 300 mg" \
        in rec.reasons[0]
    # far over the limit, taurate will not open: the same choice is a commitment
    far = decide(with_taurate_gi(3.0), priors=priors, diary=diary,
                 as_of=AS_OF).recommendation
    assert (far.regimen, far.commit, far.reason_codes) == (
        Regimen("glycinate", 300), True, ("commit",))
    # once three forms have been tried the crossover is over: nothing is held
    done = decide(with_taurate_gi(0.8), priors=priors,
                  diary=on("glycinate", 300, tried=("citrate", "threonate")), as_of=AS_OF)
    assert done.recommendation.commit


HELPS_A_LITTLE = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                               | {"glycinate": 0.15}, gi=dict.fromkeys(FORMS, 0.0),
                               benefit_sd=0.05)
"""Glycinate helps a little: 300 mg beats 200 mg by less than the switching cost, by more
than ``commit_value``."""
DOES_NOTHING = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0),
                             gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.0, expectation_sd=0.0)
"""No form does anything (no GI either)."""
AFTER_CROSSOVER_AT_200 = on("glycinate", 200, tried=("taurate", "threonate"))
"""Three forms tried at 200 mg, glycinate the current one."""


def test_after_the_crossover_the_chosen_form_is_titrated_up_to_the_reference_dose(priors):
    # the crossover ran at 200 mg and glycinate helps a little: 300 mg would do better, but
    # not by the cost of a change, so the rule alone keeps 200 mg; the titration steps up
    decision = decide(HELPS_A_LITTLE, priors=priors, diary=AFTER_CROSSOVER_AT_200, as_of=AS_OF)
    rec = decision.recommendation
    rule = decide(HELPS_A_LITTLE, priors=priors, diary=AFTER_CROSSOVER_AT_200, as_of=AS_OF,
                  settings=DecisionSettings(titration_max_mg=0.0)).recommendation
    assert rule.regimen == Regimen("glycinate", 200) and "titration" not in rule.reason_codes
    assert (rec.action, rec.regimen) == ("increase_dose", Regimen("glycinate", 300))
    assert rec.reason_codes[0] == "titration" and not rec.commit
    assert any(r.startswith("Planned titration: glycinate 200 mg") for r in rec.reasons)
    # never beyond the reference dose, the ceiling, or in the last period of a trial
    at_300 = decide(HELPS_A_LITTLE, priors=priors, as_of=AS_OF,
                    diary=on("glycinate", 300, tried=("taurate", "threonate"))).recommendation
    assert "titration" not in at_300.reason_codes and at_300.regimen == Regimen("glycinate", 300)
    capped = decide(HELPS_A_LITTLE, priors=priors, diary=AFTER_CROSSOVER_AT_200, as_of=AS_OF,
                    profile=Profile(max_elemental_mg=200)).recommendation
    assert "titration" not in capped.reason_codes and capped.regimen.elemental_mg <= 200
    ending = decide(HELPS_A_LITTLE, priors=priors, diary=AFTER_CROSSOVER_AT_200, as_of=AS_OF,
                    horizon_nights=0).recommendation
    assert "titration" not in ending.reason_codes


def test_at_the_end_of_a_trial_the_regimen_to_keep_need_not_pay_within_one_period(priors):
    # 300 mg beats 200 mg by less than the switching cost (the rule keeps 200 mg during the
    # trial) but by more than a gain that matters: at the end it is the regimen to keep
    during = decide(HELPS_A_LITTLE, priors=priors, diary=AFTER_CROSSOVER_AT_200, as_of=AS_OF,
                    horizon_nights=60,
                    settings=DecisionSettings(titration_max_mg=0.0)).recommendation
    assert during.regimen == Regimen("glycinate", 200)
    ending = decide(HELPS_A_LITTLE, priors=priors, diary=AFTER_CROSSOVER_AT_200, as_of=AS_OF,
                    horizon_nights=0)
    rec = ending.recommendation
    # never taken: the regimen to keep, as a step to try, not a commitment (/tmp/jE F1)
    assert (rec.action, rec.regimen, rec.commit) == ("increase_dose", Regimen("glycinate", 300),
                                                     False)
    assert any(r.startswith("Not settled: you have not taken glycinate 300 mg yet")
               for r in rec.reasons)
    assert all(a.learning_value == 0 for a in ending.assessments)
    # a gain that does not matter (splitting a dose that causes no GI nights) is no reason
    stay = decide(DOES_NOTHING, priors=priors, diary=AFTER_CROSSOVER_AT_200, as_of=AS_OF,
                  horizon_nights=0)
    assert stay.recommendation.regimen == Regimen("glycinate", 200)


def test_at_the_end_of_a_trial_the_last_change_does_not_hold_back_the_regimen_to_keep(priors):
    # back on glycinate 200 mg for 5 nights after the crossover: during the trial its
    # evaluation period holds every change back (only continue is open); at the end no period
    # is left to judge a change in, and the dose step the model expects to pay is the answer
    back = History(Regimen("glycinate", 200), 5, frozenset({"glycinate", "taurate", "threonate"}),
                   0, {Regimen("glycinate", 200): 25, Regimen("taurate", 200): 16,
                       Regimen("threonate", 200): 16})
    during = decide(HELPS_A_LITTLE, priors=priors, diary=back, as_of=AS_OF, horizon_nights=60)
    up = next(a for a in during.assessments if a.action == "increase_dose")
    assert during.recommendation.regimen == Regimen("glycinate", 200)
    assert not up.feasible and "waiting" in up.reason_codes
    ending = decide(HELPS_A_LITTLE, priors=priors, diary=back, as_of=AS_OF, horizon_nights=0)
    rec = ending.recommendation
    assert (rec.action, rec.regimen) == ("increase_dose", Regimen("glycinate", 300))
    assert not any("waiting" in a.reason_codes for a in ending.assessments)
    # still one change at a time: one dose step, not straight to the 350 mg ceiling
    assert all(a.regimen.elemental_mg <= 300 for a in ending.assessments)
    capped = decide(HELPS_A_LITTLE, priors=priors, diary=back, as_of=AS_OF, horizon_nights=0,
                    profile=Profile(max_elemental_mg=200)).recommendation
    assert capped.regimen == Regimen("glycinate", 200)


def test_a_form_that_does_nothing_is_not_titrated(priors):
    rec = decide(DOES_NOTHING, priors=priors, diary=AFTER_CROSSOVER_AT_200,
                 as_of=AS_OF).recommendation
    assert "titration" not in rec.reason_codes and rec.action != "increase_dose"


def test_the_crossover_breaks_a_tie_the_same_way_every_time(priors):
    # an outside audit: the same diary gave "Start taurate" at seeds 1 and 3 and "Start
    # glycinate" at seed 2 (expected utility -0.964 against -0.964), with nothing said
    others = dict.fromkeys(FORMS, -0.3)
    picks = set()
    for seed in range(6):
        twins = FakePosterior(n_draws=4000, seed=seed, gi=dict.fromkeys(FORMS, 0.0),
                              benefit=others | {"threonate": 0.3, "glycinate": 0.3},
                              benefit_sd=0.3)
        rec = decide(twins, priors=priors, as_of=AS_OF).recommendation
        assert rec.reason_codes[:2] == ("first_step", "crossover")
        picks.add(rec.regimen.form)
        assert any("Threonate is as promising (expected utility within a quarter of a "
                   "clinically important difference, or of this fit's Monte Carlo error); "
                   "glycinate goes first" in r for r in rec.reasons)
    assert picks == {"glycinate"}                     # listed first in FORMS
    # a lead the draws are sure of, but smaller than a quarter of an MCID, is no reason either
    near = FakePosterior(n_draws=4000, gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.01,
                         benefit=others | {"threonate": 0.33, "glycinate": 0.3})
    assert decide(near, priors=priors, as_of=AS_OF).recommendation.regimen.form == "glycinate"
    strict = DecisionSettings(crossover_tie=0.0)
    assert decide(near, priors=priors, as_of=AS_OF,
                  settings=strict).recommendation.regimen.form == "threonate"
    # a clear lead is no tie: the leader goes first, whatever its place in the list
    clear = FakePosterior(n_draws=4000, gi=dict.fromkeys(FORMS, 0.0),
                          benefit=others | {"threonate": 0.6, "glycinate": 0.3},
                          benefit_sd=0.3)
    rec = decide(clear, priors=priors, as_of=AS_OF).recommendation
    assert rec.regimen.form == "threonate"
    assert not any("as promising" in r for r in rec.reasons)


def test_a_choice_within_the_monte_carlo_error_is_a_close_call_naming_the_runner_up(priors):
    # glycinate and taurate are twins (same mean benefit, independent draws): which one leads
    # is Monte Carlo noise, and the advice says so; a clear leader is no close call
    one_dose = DecisionSettings(crossover_forms=0, start_doses_mg=(200.0,))
    others = dict.fromkeys(FORMS, -0.3)
    twins = FakePosterior(n_draws=4000, seed=2, gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.3,
                          benefit=others | {"glycinate": 0.3, "taurate": 0.3})
    # (7 of seeds 0-7 give a close call; seed 0's twins differ by more than 2 jackknife SEs)
    rec = decide(twins, priors=priors, as_of=AS_OF, settings=one_dose).recommendation
    assert rec.regimen.form in ("glycinate", "taurate") and "close_call" in rec.reason_codes
    twin = ({"glycinate", "taurate"} - {rec.regimen.form}).pop()
    closes = [w for w in rec.warnings if w.startswith("a close call")]
    assert len(closes) == 1 and closes[0].startswith(
        f"a close call: to start {twin} 200 mg is worth nearly as much as to start "
        f"{rec.regimen.form} 200 mg")
    clear = FakePosterior(n_draws=4000, benefit=others | {"glycinate": 0.6},
                          gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.3)
    rec = decide(clear, priors=priors, as_of=AS_OF, settings=one_dose).recommendation
    assert rec.regimen == Regimen("glycinate", 200)
    assert "close_call" not in rec.reason_codes
    assert not any(w.startswith("a close call") for w in rec.warnings)
    # with no bar (close_call_se = 0) nothing is a close call
    loose = decide(twins, priors=priors, as_of=AS_OF,
                   settings=replace(one_dose, close_call_se=0.0)).recommendation
    assert "close_call" not in loose.reason_codes


def test_fewer_draws_than_batches_give_no_close_call_and_no_warning(priors):
    few = FakePosterior(n_draws=5, benefit=dict.fromkeys(FORMS, 0.0) | {"glycinate": 0.3},
                        gi=dict.fromkeys(FORMS, 0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        rec = decide(few, priors=priors, as_of=AS_OF, settings=DecisionSettings(
            crossover_forms=0, start_doses_mg=(200.0,))).recommendation
    assert rec.action == "start"
    one = FakePosterior(n_draws=1, benefit={"glycinate": 0.3}, gi=dict.fromkeys(FORMS, 0.0))
    assert "close_call" not in decide(one, priors=priors, as_of=AS_OF).recommendation.reason_codes


def test_a_change_or_a_commitment_within_the_monte_carlo_error_is_not_made(priors):
    # on glycinate 200 mg (the ceiling of this profile) after a crossover, at the end of the
    # trial: taurate is a near-twin whose lead over staying (0.04) is within the Monte Carlo
    # error of 2,000 draws; without the bar the decision would commit to the switch
    at_200 = Profile(max_elemental_mg=200)
    one_dose = DecisionSettings(titration_max_mg=0.0, start_doses_mg=(200.0,))

    def person(taurate: float, seed: int = 0) -> FakePosterior:
        return FakePosterior(n_draws=2000, seed=seed, benefit=dict.fromkeys(FORMS, -0.3)
                             | {"glycinate": 0.3, "taurate": taurate},
                             gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.3)

    # each form of the crossover taken for a period: a commitment needs its nights
    judged = replace(AFTER_CROSSOVER_AT_200, nights_on={
        Regimen(f, 200): 30 for f in ("glycinate", "taurate", "threonate")})

    def advice(taurate: float, settings: DecisionSettings, seed: int = 0):
        return decide(person(taurate, seed), priors=priors, diary=judged,
                      profile=at_200, as_of=AS_OF, horizon_nights=0,
                      settings=settings).recommendation

    rec = advice(0.32, one_dose)
    assert (rec.action, rec.regimen, rec.commit) == ("collect_more_data",
                                                    Regimen("glycinate", 200), False)
    assert rec.reason_codes == ("collect", "close_call")
    assert rec.reasons[0] == ("The best-ranked change, to switch to taurate 200 mg, leads keeping "
                              "glycinate 200 mg by less than this fit's Monte Carlo error: keep "
                              "glycinate 200 mg, not as a commitment; the coming nights will tell "
                              "them apart.")
    assert any(w.startswith("a close call: to switch to taurate 200 mg is worth a little more "
                            "than to keep glycinate 200 mg") and "not advised" in w
               for w in rec.warnings)
    noisy = advice(0.32, replace(one_dose, close_call_se=0.0))
    assert (noisy.action, noisy.regimen.form, noisy.commit) == ("switch_form", "taurate", True)
    # a lead well clear of the error is taken
    clear = advice(0.36, one_dose)
    assert (clear.action, clear.regimen.form, clear.commit) == ("switch_form", "taurate", True)
    assert "close_call" not in clear.reason_codes
    # staying leads, but the switch is within the error: no commitment is declared on it
    close = advice(0.30, one_dose, seed=0)
    assert (close.action, close.regimen, close.commit) == ("collect_more_data",
                                                          Regimen("glycinate", 200), False)
    assert close.reason_codes == ("collect", "close_call")
    assert close.reasons[0].startswith("Continuing ranks first, but to switch to taurate 200 mg "
                                       "is within this fit's Monte Carlo error of it")
    committed = advice(0.30, replace(one_dose, close_call_se=0.0), seed=0)
    assert (committed.action, committed.commit) == ("continue", True)


def test_no_commitment_while_the_period_holds_back_a_better_regimen(priors):
    # "Sure enough to settle on this: best in 100% of the model's scenarios" from P(best) 1.00
    # among the two options the evaluation period left open, beside a better one it held back
    model = FakePosterior(n_draws=1000, benefit={"glycinate": 0.5, "threonate": -0.2,
                                                 "taurate": 1.5},
                          gi=dict.fromkeys(("glycinate", "threonate", "taurate"), 0.0),
                          benefit_sd=0.05)
    past = History(Regimen("threonate", 200), 7, frozenset({"glycinate", "threonate"}), 0,
                   {Regimen("glycinate", 200): 28, Regimen("threonate", 200): 7})
    s = DecisionSettings(crossover_forms=0)
    rec = decide(model, priors=priors, diary=past, as_of=AS_OF, settings=s).recommendation
    waiting = next(a for a in decide(model, priors=priors, diary=past, as_of=AS_OF,
                                     settings=s).assessments
                   if a.regimen == Regimen("taurate", 200))
    assert waiting.reason_codes == ("waiting",) and waiting.expected_utility > 0
    assert rec.regimen == Regimen("glycinate", 200) and rec.p_best > 0.9
    assert not rec.commit and "commit" not in rec.reason_codes
    # staying, with the better step waiting: said so, not "more nights would teach little"
    stay = History(Regimen("glycinate", 200), 7, frozenset({"glycinate", "threonate"}), 0,
                   {Regimen("glycinate", 200): 7, Regimen("threonate", 200): 28})
    kept = decide(model, priors=priors, diary=stay, as_of=AS_OF, settings=s).recommendation
    assert kept.action == "collect_more_data" and not kept.commit
    assert "better_after_period" in kept.reason_codes
    assert how_sure(kept).startswith("not a final answer: a step expected to do better opens")


def test_a_commitment_the_crossovers_end_makes_says_it_is_not_certain(priors):
    # after three forms the learning horizon is zero, so the rule commits whatever P(best):
    # "Sure enough to settle on this" stood beside P(best) 0.05
    forms = ("glycinate", "threonate", "taurate")
    model = FakePosterior(n_draws=2000, benefit=dict.fromkeys(forms, 0.3),
                          gi=dict.fromkeys(forms, 0.0), benefit_sd=0.3)
    past = History(Regimen("taurate", 200), 21, frozenset(forms), 0,
                   {Regimen(f, 200): 21 for f in forms})
    # at the ceiling: a dose step, never taken, would be a step to try, not a commitment
    at_200 = Profile(max_elemental_mg=200)
    rec = decide(model, priors=priors, diary=past, as_of=AS_OF, profile=at_200).recommendation
    assert rec.commit and rec.p_best < 0.8
    assert "by_design" in rec.reason_codes
    assert any(r.startswith("Kept by the trial's design, not settled") for r in rec.reasons)
    assert not any("Settled" in r for r in rec.reasons)
    assert not any(r.startswith("Clear enough to commit") for r in rec.reasons)
    assert how_sure(rec).startswith("kept by the trial's design, not settled")
    sure = FakePosterior(n_draws=2000, benefit={"glycinate": 0.0, "threonate": 0.0,
                                                "taurate": 2.0},
                         gi=dict.fromkeys(forms, 0.0), benefit_sd=0.05)
    clear = decide(sure, priors=priors, diary=past, as_of=AS_OF, profile=at_200).recommendation
    assert clear.commit and clear.p_best >= 0.8 and "by_design" not in clear.reason_codes


# a daily user's audit (/tmp/hL): the advice re-read every morning ---------------------------------

def _tried_two(**known: float) -> FakePosterior:
    """Threonate and glycinate known from a period each; citrate, just begun, is not."""
    return FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                         | {"threonate": 0.1, "glycinate": 0.05}, gi=dict.fromkeys(FORMS, -0.5),
                         benefit_sd=0.3, known={"threonate": 0.05, "glycinate": 0.05} | known)


def test_a_switch_begun_is_not_undone_the_next_morning(priors):
    """"Switch to citrate ... take it for 19 nights" was followed one night later by "switch to
    threonate": in a diary that cannot separate magnesium from expectation, continuing the new
    form was worth nothing to learn, and going back was valued for citrate's contrast."""
    threonate, citrate = Regimen("threonate", 200), Regimen("citrate", 200)
    glycinate = Regimen("glycinate", 200)
    for nights in (1, 5):
        past = History(citrate, nights, frozenset({"glycinate", "threonate"}), 0,
                       {NO_MAGNESIUM: 14, glycinate: 17, threonate: 19, citrate: nights})
        decision = decide(_tried_two(), priors=priors, diary=past, as_of=AS_OF,
                          separable=False)
        worth = {(a.action, a.regimen): a.learning_value for a in decision.assessments}
        assert decision.recommendation.regimen == citrate, decision.recommendation
        assert worth["continue", citrate] > 1.0                # citrate's nights teach
        assert worth["switch_form", threonate] < 0.1            # threonate's, no longer
    # once citrate is known as well as the others, going back is open again
    known = History(citrate, 19, frozenset({"glycinate", "threonate", "citrate"}), 0,
                    {NO_MAGNESIUM: 14, glycinate: 17, threonate: 19, citrate: 19})
    back = decide(_tried_two(citrate=0.05), priors=priors, diary=known, as_of=AS_OF,
                  separable=False).recommendation
    assert back.regimen == threonate


def test_no_commitment_while_the_current_regimen_is_in_its_period(priors):
    """Three nights into a regimen the advice said "sure enough to settle on this: best in
    94%" (P(best) over the two options the period left open), and withdrew it two mornings
    later; the same regimen after its period, or taken for months before a night skipped,
    commits."""
    clear = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0) | {"glycinate": 0.5},
                          gi=dict.fromkeys(FORMS, -0.5), benefit_sd=0.05)
    best, others = Regimen("glycinate", 350), (Regimen("taurate", 350), Regimen("threonate", 350))
    tried = frozenset({"glycinate", "taurate", "threonate"})

    def advice(nights: int, before: int = 0):
        past = History(best, nights, tried, 0, {best: nights + before} | dict.fromkeys(others, 19))
        return decide(clear, priors=priors, diary=past, as_of=AS_OF).recommendation

    early = advice(3)
    assert not early.commit and early.regimen == best and "commit" not in early.reason_codes
    assert not how_sure(early).startswith("sure enough")
    assert advice(20).commit and advice(3, before=60).commit


def test_a_return_to_a_judged_form_waits_for_the_shortest_period(priors):
    """The morning after "switch to citrate, look again in 19 nights", a return to threonate
    (judged over a period) skipped the period on the expected utilities the switch had been
    made against; after 7 nights on citrate it may, and a restart after a stop never waits."""
    threonate, citrate = Regimen("threonate", 200), Regimen("citrate", 200)
    glycinate = Regimen("glycinate", 200)
    # citrate worse than threonate, not worse than none (that would stop it: code harm)
    worse_citrate = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                                  | {"threonate": 0.3},
                                  gi=dict.fromkeys(FORMS, -0.5), benefit_sd=0.05)

    def advice(current: Regimen, nights: int):
        past = History(current, nights, frozenset({"glycinate", "threonate"}), 0,
                       {glycinate: 17, threonate: 19} | ({current: nights} if current.active
                                                        else {}))
        return decide(worse_citrate, priors=priors, diary=past, as_of=AS_OF,
                      separable=False).recommendation

    assert advice(citrate, 1).regimen == citrate
    assert advice(citrate, 7).regimen == threonate
    assert advice(NO_MAGNESIUM, 1).regimen == threonate


def test_the_period_holds_the_step_only_while_every_other_action_waits(priors):
    """The prior sensitivity check is left out while the period holds the step
    (``Decision.period_sets_step``): three nights into a regimen; not after its period, and not
    when the current regimen is over the GI limit (the safety steps are open then)."""
    calm = FakePosterior(benefit={"glycinate": 0.2}, gi=dict.fromkeys(FORMS, -0.5))
    early = decide(calm, priors=priors, diary=on("glycinate", 200, nights=3), as_of=AS_OF)
    assert early.period_sets_step and early.recommendation.action == "continue"
    assert not decide(calm, priors=priors, diary=on("glycinate", 200, nights=30),
                      as_of=AS_OF).period_sets_step
    loose = FakePosterior(benefit={"glycinate": 0.2},
                          gi=dict.fromkeys(FORMS, -0.5) | {"glycinate": 3.0})
    unsafe = decide(loose, priors=priors, diary=on("glycinate", 200, nights=3), as_of=AS_OF)
    stay = next(a for a in unsafe.assessments if a.action == "continue")
    assert stay.p_constraint_violation > 0.2 and not stay.feasible
    assert not unsafe.period_sets_step


def test_a_loose_night_early_in_a_form_gives_a_gentler_dose_not_another_form(priors):
    """One loose night on taurate's first night put continuing it over the GI chance
    constraint (P 0.41), the crossover moved on to threonate, and taurate, the form that
    helped that person, was never taken again (/tmp/hL, person A). In the form's period the
    same form at a gentler dose keeps its trial going; after its period, or with loose stools
    going on (the acute rule), the rules of before apply."""
    loose = FakePosterior(benefit={"taurate": 0.3, "glycinate": 0.1},
                          gi=dict.fromkeys(FORMS, -0.5) | {"taurate": 1.5})
    taurate, glycinate = Regimen("taurate", 200), Regimen("glycinate", 200)

    def advice(nights: int, gi_nights: int):
        tried = frozenset({"glycinate", "taurate"} if nights >= 7 else {"glycinate"})
        past = History(taurate, nights, tried, gi_nights, {taurate: nights, glycinate: 18})
        return decide(loose, priors=priors, diary=past, as_of=AS_OF)

    early = advice(1, 1)
    stay = next(a for a in early.assessments if a.action == "continue")
    assert stay.p_constraint_violation > 0.2 and not stay.feasible
    rec = early.recommendation
    assert rec.regimen is not None and rec.regimen.form == "taurate", rec
    # the smallest change: the same daily dose split (a lower one carried into every later
    # switch of the crossover, "at the same dose")
    assert rec.action == "split_dose" and rec.regimen == Regimen("taurate", 200, split=True)
    assert "gentler_dose" in rec.reason_codes
    assert rec.p_constraint_violation <= 0.2
    said = " ".join(rec.reasons)
    assert "A gentler dose of the same form: after 1 recorded night on taurate" in said
    assert "stop" in said
    assert how_sure(rec).startswith("not a final answer: a gentler dose")
    for later in (advice(30, 1), advice(3, 2)):      # judged; or loose stools going on
        assert "gentler_dose" not in later.recommendation.reason_codes


def test_a_step_best_by_far_but_not_settled_is_not_called_uncertain(priors):
    """A reader audit: "Not certain yet (nothing left to learn from it): try glycinate 300 mg"
    beside P(best) 0.94, where a form the crossover still had to try kept it from settling."""
    model = FakePosterior(n_draws=1000, benefit={"glycinate": 2.0, "citrate": 0.5,
                                                 "taurate": 1.9}, benefit_sd=0.6)
    past = History(NO_MAGNESIUM, 6, frozenset({"glycinate", "citrate"}), 0,
                   {NO_MAGNESIUM: 20, Regimen("glycinate", 300): 28, Regimen("citrate", 300): 28})
    rec = decide(model, priors=priors, diary=past, as_of=AS_OF).recommendation
    assert not rec.commit and rec.p_best >= DecisionSettings().commit_p_best
    assert any(r.startswith(f"Best so far (P(best) {rec.p_best:.2f}), not yet the regimen to "
                            "settle on: take glycinate 300 mg") for r in rec.reasons)
    assert not any(r.startswith("Not certain yet") for r in rec.reasons)
