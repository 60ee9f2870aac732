"""The decision for a person whose complaint is not falling asleep (an outside audit, G).

- ``[weights]`` are relative: written on any scale they give the same weights and decision;
- ``[weights]`` values are strict numbers, an unknown key lists the names allowed;
- an outcome no night of the diary records teaches nothing (the coming nights will not show
  it), keeps its expected gain, is marked as the evidence's alone and, when it counts for
  the person, is warned of;
"""

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import at_key

from model.core.errors import InputError
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.core.special import expit
from model.data.diary import read_diary
from model.data.profile import COMPLAINT_WEIGHTS, Profile, load_profile
from model.data.recorded import recorded_outcomes
from model.data.weights import Weights
from model.decision import History, decide
from model.decision.history import history
from model.decision.rule_words import unrecorded_warning
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
OUTCOMES = ("sol", "awakenings", "quality", "freshness", "anxiety")
GLYCINATE = Regimen("glycinate", 200)


def only(outcome: str, weight: float) -> Weights:
    """Weights with ``outcome`` at ``weight`` and every other outcome at 0."""
    return Weights(**{o: weight if o == outcome else 0.0 for o in OUTCOMES})


def glycinate_then(nights: int = 21, **more) -> History:
    """A baseline of 14 nights, then ``nights`` on glycinate 200 mg."""
    return History(GLYCINATE, nights, frozenset({"glycinate"}), 0,
                   {NO_MAGNESIUM: 14, GLYCINATE: nights}, **more)


# --- [weights] are relative ----------------------------------------------------------------

@pytest.mark.parametrize("complaint", list(COMPLAINT_WEIGHTS))
def test_the_default_weights_of_each_complaint_are_unchanged(complaint):
    assert Profile(complaint=complaint).outcome_weights() == COMPLAINT_WEIGHTS[complaint]


def test_weights_written_ten_times_larger_are_the_same_weights():
    one = Profile(complaint="racing_thoughts", weights=only("sol", 1.0)).outcome_weights()
    ten = Profile(complaint="racing_thoughts", weights=only("sol", 10.0)).outcome_weights()
    assert one == pytest.approx(ten)
    assert sum(one.values()) == pytest.approx(sum(COMPLAINT_WEIGHTS["racing_thoughts"].values()))


def test_latency_only_weights_on_any_scale_give_the_same_decision(priors):
    """``sol = 1`` and ``sol = 10`` (the rest 0): the GI term and the cost of a change weigh
    the same against latency, so the step and every expected utility are the same (the
    audit: threonate with ``sol = 1``, glycinate with ``sol = 10``)."""
    predict = FakePosterior(n_draws=400, seed=3, benefit={"glycinate": 0.3, "threonate": 0.2},
                            gi={"glycinate": 1.0})
    decisions = [decide(predict, priors=priors, diary=glycinate_then(), as_of=AS_OF,
                        profile=Profile(complaint="racing_thoughts", weights=only("sol", w)))
                 for w in (1.0, 10.0)]
    one, ten = (d.recommendation for d in decisions)
    assert (one.action, one.regimen) == (ten.action, ten.regimen)
    assert [a.expected_utility for a in decisions[0].assessments] == pytest.approx(
        [a.expected_utility for a in decisions[1].assessments])


# --- [weights] values are strict numbers ---------------------------------------------------

@pytest.mark.parametrize("value", ["true", '"2"', '"1e2"'])
def test_a_weight_that_is_not_a_number_is_refused_naming_file_line_and_key(tmp_path, value):
    path = tmp_path / "profile.toml"
    path.write_text(f'complaint = "anxiety"\n[weights]\nanxiety = {value}\n')
    with pytest.raises(InputError) as error:
        load_profile(path)
    assert re.search(at_key(path, "weights.anxiety") + ":", str(error.value))


def test_whole_and_decimal_weights_are_numbers(tmp_path):
    path = tmp_path / "profile.toml"
    path.write_text('complaint = "anxiety"\n[weights]\nanxiety = 3\nsol = 0.5\n')
    weights = load_profile(path).outcome_weights()
    assert weights["anxiety"] / weights["sol"] == pytest.approx(6.0)


def test_an_unknown_weight_key_lists_the_names_allowed(tmp_path):
    path = tmp_path / "profile.toml"
    path.write_text('complaint = "anxiety"\n[weights]\ngi = 2\n')
    with pytest.raises(InputError) as error:
        load_profile(path)
    message = str(error.value)
    assert re.search(at_key(path, "weights.gi") + ": unknown key 'gi'", message)
    assert "sol, awakenings, quality, freshness, anxiety" in message


# --- an outcome the diary does not record ---------------------------------------------------

ANXIETY_EFFECT = {"glycinate": 0.8, "threonate": -0.6, "taurate": 1.2}
"""Per form, magnesium's effect on evening anxiety on the logit scale, times a sign that is +1
in the first half of the draws and -1 in the second."""


def independent_anxiety(regimens):
    """Joint draws whose anxiety is independent of everything else and of mean zero, exactly.

    The draws come in two halves identical but for the sign of every form's anxiety effect
    (antithetic): the anxiety gains have mean 0 and no covariance with any other gain, so that
    what anxiety adds to the utility moves nothing the other outcomes could teach.
    """
    half = FakePosterior(n_draws=300, seed=7, benefit={"glycinate": 0.25, "threonate": 0.2,
                                                       "taurate": 0.15})(regimens)
    data = xr.concat([half, half], dim="draw").assign_coords(draw=np.arange(600))
    sign = np.repeat([1.0, -1.0], 300)
    effect = np.array([ANXIETY_EFFECT.get(r.form, 0.0) if r.active else 0.0 for r in regimens])
    return data.assign(anxiety=(("regimen", "draw"), 10 * expit(effect[:, None] * sign)))


class AnxietyAtZero(Profile):
    """The anxiety complaint's weights with anxiety at 0 and the others as they are."""

    def outcome_weights(self) -> dict[str, float]:
        return COMPLAINT_WEIGHTS["anxiety"] | {"anxiety": 0.0}


def anxious(priors, past: History, profile: Profile | None = None):
    return decide(independent_anxiety, priors=priors, diary=past, as_of=AS_OF,
                  profile=profile or Profile(complaint="anxiety"))


def test_an_unrecorded_outcome_teaches_what_a_weight_of_0_on_it_would(priors):
    """Known answer: anxiety unrecorded teaches as much as anxiety that counts for nothing
    (its gains independent of the rest here, so nothing else can teach of it), and its
    expected gain still counts (0 here, exactly). Before: 2.12 against 4.24 in the audit."""
    unrecorded = anxious(priors, glycinate_then(unrecorded=frozenset({"anxiety"})))
    at_zero = anxious(priors, glycinate_then(), AnxietyAtZero(complaint="anxiety"))
    values = [[a.learning_value for a in d.assessments] for d in (unrecorded, at_zero)]
    assert max(values[1]) > 0.05                          # the switches do teach something
    assert values[0] == pytest.approx(values[1], rel=1e-9, abs=1e-12)
    assert [a.expected_utility for a in unrecorded.assessments] == pytest.approx(
        [a.expected_utility for a in at_zero.assessments], rel=1e-9, abs=1e-12)


def test_a_recorded_outcome_still_teaches(priors):
    """The same anxiety, written down: its gains are worth learning (the fix masks only what
    no night records)."""
    recorded = anxious(priors, glycinate_then())
    unrecorded = anxious(priors, glycinate_then(unrecorded=frozenset({"anxiety"})))
    assert (max(a.learning_value for a in recorded.assessments)
            > max(a.learning_value for a in unrecorded.assessments) + 0.05)


@pytest.mark.parametrize(("complaint", "unrecorded", "warned"), [
    ("anxiety", {"anxiety"}, True),          # the heaviest, 2
    ("anxiety", {"quality"}, True),          # 1: half the heaviest
    ("anxiety", {"sol"}, False),             # 0.5: less than half
    ("anxiety", set(), False),
    ("sleep_onset", {"anxiety"}, False),
])
def test_the_warning_appears_iff_an_outcome_that_counts_is_unrecorded(priors, complaint,
                                                                      unrecorded, warned):
    rec = anxious(priors, glycinate_then(unrecorded=frozenset(unrecorded)),
                  Profile(complaint=complaint)).recommendation
    said = [w for w in rec.warnings if "is in no night of the diary" in w]
    assert bool(said) == warned
    if warned:
        (outcome,) = unrecorded
        assert said == [unrecorded_warning(outcome, outcome == "anxiety")]


def test_the_words_of_the_warning_for_anxiety():
    assert unrecorded_warning("anxiety", True) == (
        "evening anxiety, which counts most for you, is in no night of the diary: its expected "
        "change comes from the evidence alone and the coming nights cannot show it; write it "
        "down each evening (0 none to 10 the worst)")


def test_the_expected_change_of_an_unrecorded_outcome_says_it_is_the_evidences(priors):
    def changes(past: History) -> str:
        rec = anxious(priors, past).recommendation
        return next(r for r in rec.reasons if r.startswith("Expected change"))

    marked = changes(glycinate_then(unrecorded=frozenset({"anxiety"})))
    assert re.search(r"evening anxiety[^;]*\([^)]*; from the evidence alone: not in your "
                     r"diary\)", marked)
    assert marked.count("from the evidence alone") == 1
    assert "from the evidence alone" not in changes(glycinate_then())


def diary_frame(anxiety: bool) -> pd.DataFrame:
    """14 nights without magnesium, then 21 on glycinate 200 mg; anxiety written or not."""
    n = 35
    frame = pd.DataFrame({
        "date": pd.date_range("2025-01-01", periods=n).strftime("%Y-%m-%d"),
        "form": ["none"] * 14 + ["glycinate"] * 21,
        "elemental_mg": [0] * 14 + [200] * 21,
        "sol_min": 30, "awakenings": 2, "quality": 3, "freshness": 5, "stool_bristol": 4})
    return frame.assign(anxiety=6) if anxiety else frame


def test_recorded_outcomes_are_those_with_a_night_written_down():
    without = read_diary(diary_frame(anxiety=False))
    assert "anxiety" not in recorded_outcomes(without.nights)
    assert recorded_outcomes(read_diary(diary_frame(anxiety=True)).nights) == (*OUTCOMES, "gi")
    assert history(without).unrecorded == {"anxiety"}
    assert history(read_diary(diary_frame(anxiety=True))).unrecorded == frozenset()


# --- after a planned trial, a form the person chose to try ---------------------------------

TAURATE = Regimen("taurate", 200)


def after_the_trial(**more) -> History:
    """A planned trial of glycinate and taurate (200 mg, 21 nights each) just over."""
    return History(TAURATE, 21, frozenset({"glycinate", "taurate"}), 0,
                   {NO_MAGNESIUM: 14, GLYCINATE: 21, TAURATE: 21},
                   planned_forms=frozenset({"glycinate", "taurate"}), **more)


UNTRIED_BEST = FakePosterior(n_draws=1000, seed=2, benefit={
    "glycinate": 0.1, "taurate": 0.05, "threonate": 0.5, "citrate": 0.5, "malate": 0.5})
"""The evidence ranks forms never tried far above the two of the trial."""


def test_the_step_after_a_planned_trial_stays_among_the_forms_tried(priors):
    """The README: after a planned trial the step is the best by expected utility, "not a form
    the person never chose to try" (the audit: "Switch to threonate" after glycinate and
    taurate). No untried form is even an alternative then."""
    decision = decide(UNTRIED_BEST, priors=priors, diary=after_the_trial(), as_of=AS_OF)
    regimen = decision.recommendation.regimen
    assert regimen is None or not regimen.active or regimen.form in {"glycinate", "taurate"}
    assert {a.regimen.form for a in decision.assessments if a.regimen.active} == {
        "glycinate", "taurate"}


def test_before_the_trial_is_over_untried_forms_stay_open(priors):
    """Only glycinate tried of the two planned: the trial goes on, every allowed form is open."""
    past = History(GLYCINATE, 21, frozenset({"glycinate"}), 0, {NO_MAGNESIUM: 14, GLYCINATE: 21},
                   planned_forms=frozenset({"glycinate", "taurate"}))
    decision = decide(UNTRIED_BEST, priors=priors, diary=past, as_of=AS_OF)
    assert "threonate" in {a.regimen.form for a in decision.assessments}


def test_when_no_form_of_the_trial_is_allowed_the_others_open(priors):
    """The profile now excludes both forms of the trial: a step to another form is open."""
    profile = Profile(excluded_forms=("glycinate", "taurate"))
    decision = decide(UNTRIED_BEST, priors=priors, diary=after_the_trial(), as_of=AS_OF,
                      profile=profile)
    assert "threonate" in {a.regimen.form for a in decision.assessments
                           if a.action == "switch_form"}


@pytest.mark.parametrize("complaint, first", [("anxiety", "evening anxiety"),
                                              ("night_waking", "awakenings"),
                                              ("sleep_onset", "falling asleep")])
def test_the_expected_changes_come_heaviest_first(priors, complaint, first):
    """The decision's "Expected change" follows the person's weights, as every other list
    does (an outside audit: falling asleep came first for a person waking at night)."""
    predict = FakePosterior(n_draws=300, seed=5, benefit={"glycinate": 0.3})
    rec = decide(predict, priors=priors, diary=glycinate_then(), as_of=AS_OF,
                 profile=Profile(complaint=complaint)).recommendation
    changes = next(r for r in rec.reasons if r.startswith("Expected change"))
    listed = changes.split(": ", 1)[1]
    assert listed.startswith(first), listed
