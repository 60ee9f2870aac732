"""The decision for a person whose complaint is not falling asleep (an outside audit, G).

- ``[weights]`` are relative: written on any scale they give the same weights and decision;
- ``[weights]`` values are strict numbers, an unknown key lists the names allowed;
"""

import datetime as dt
import re

import pytest
from conftest import at_key

from model.core.errors import InputError
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import COMPLAINT_WEIGHTS, Profile, load_profile
from model.data.weights import Weights
from model.decision import History, decide
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
