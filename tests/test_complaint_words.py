"""What a person whose complaint is not falling asleep reads (audit G, findings F2 to F4).

The clinician page and the JSON carry the complaint and the weights used, in words (not
internal keys); every list of outcomes follows the person's weights, heaviest first; the
first advice says, from the priors, what the evidence holds on what counts most for them.
"""

import dataclasses
import re

import pytest

from model.core.change_words import outcome_name
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.core.regimen import Regimen
from model.data.profile import Profile
from model.data.weights import Weights, heaviest_first, outcome_order
from model.decision.plan_words import tie_order_words
from model.evidence.priorset import load_priors
from model.report.clinician import render_clinician
from model.report.clinician_tables import evidence_table, regimen_table
from model.report.effect_words import tried_forms
from model.report.effects_html import effects_section
from model.report.evidence_words import outcome_evidence
from model.report.headline import headline
from model.report.html import render_report
from model.testing import example_analysis

RUTH = Profile(name="Ruth", age=58, complaint="night_waking")
SAM = Profile(name="Sam", age=31, complaint="anxiety")
PRIYA = Profile(name="Priya", age=44, complaint="racing_thoughts",
                weights=Weights(sol=0, awakenings=0, quality=0.1, freshness=2.0, anxiety=2.0))


def as_person(profile: Profile):
    """The example analysis read for another person (the same nights and decision)."""
    return dataclasses.replace(example_analysis(), profile=profile)


def first_step(result, reasons: tuple[str, ...] = ()):
    """The analysis with a first step of the planned crossover: start glycinate, to learn."""
    rec = result.decision.recommendation
    start = dataclasses.replace(rec, action="start", regimen=Regimen("glycinate", 200.0),
                                reason_codes=("first_step", "crossover", "learn"),
                                reasons=reasons or rec.reasons)
    return dataclasses.replace(result, decision=dataclasses.replace(result.decision,
                                                                    recommendation=start))


# --- F3: the complaint and the weights on the clinician page, in the report and the JSON ---

@pytest.mark.parametrize(("profile", "topic"), [
    (SAM, "Sam: magnesium for evening anxiety and sleep, n-of-1 summary"),
    (RUTH, "Ruth: magnesium for sleep (night waking), n-of-1 summary"),
    (PRIYA, "Priya: magnesium for racing thoughts and sleep, n-of-1 summary"),
])
def test_the_clinician_page_is_headed_by_the_complaint(profile, topic):
    page = render_clinician(as_person(profile))
    assert re.search(r"<h1>([^<]*)</h1>", page).group(1).startswith(topic)


def test_the_pages_say_the_complaint_and_the_weights_in_words_heaviest_first():
    result = as_person(PRIYA)
    weights = PRIYA.outcome_weights()
    names = [outcome_name(o) for o in heaviest_first(weights)]
    for page in (render_clinician(result), render_report(result)):
        line = re.search(r"Main complaint: racing thoughts at bedtime; what counts most: "
                         r"([^<]*)", page).group(1)
        said = [name for name in names if name in line]
        assert said == names                              # every outcome, in words
        assert sorted(said, key=line.index) == names      # heaviest first
        # latency weighted 0 (the audit: no sign of it beside advice driven by latency)
        assert "falling asleep (0: not counted)" in line
        assert "own [weights]" in line.replace("&#x27;", "'")
        assert "Utility weights" not in page and "sol " not in line
    assert "the defaults for this complaint" in render_clinician(as_person(SAM))


def test_the_json_carries_the_complaint_and_the_weights_used_keyed_as_its_effects():
    result = as_person(RUTH)
    out = result.to_json()
    assert out["complaint"] == "night_waking"
    assert set(out["weights"]) == {e["outcome"] for e in out["effects"]} == set(OUTCOMES)
    assert out["weights"] == RUTH.outcome_weights() | {"gi": 1.0}
    assert out["weights"]["awakenings"] == 2.0          # the complaint's default weight
    # own weights are said as used (rescaled or not, as the profile's outcome_weights)
    assert as_person(PRIYA).to_json()["weights"]["sol"] == 0.0


# --- F4: every list of outcomes heaviest first, GI last ---

@pytest.mark.parametrize("profile", [RUTH, SAM, PRIYA, Profile()])
def test_outcome_order_is_the_persons_heaviest_first_gi_last(profile):
    weights = profile.outcome_weights()
    order = outcome_order(weights)
    assert order[:len(SLEEP_OUTCOMES)] == heaviest_first(weights) and order[-1] == "gi"


@pytest.mark.parametrize("profile", [RUTH, SAM, PRIYA])
def test_what_magnesium_did_lists_the_heaviest_outcome_first(profile):
    result = as_person(profile)
    order = outcome_order(profile.outcome_weights())
    doses = tried_forms(result.effects, profile.outcome_weights())
    assert doses
    for _, own in doses:
        said = [e.outcome for e in own]
        assert said == [o for o in order if o in said]
    lines = headline(result).lines()
    form = next(i for i, line in enumerate(lines) if line.startswith("  ")
                and line.endswith("nights:"))
    assert outcome_name(order[0]) in lines[form + 1]    # Sam: anxiety was fifth of six


def test_the_clinician_tables_follow_the_weights():
    result = as_person(SAM)
    page = render_clinician(result)
    effects = page[page.index("<h2>Effects of the forms taken"):]
    rows = re.findall(r"<tr><td>([^<]*)</td>", effects[:effects.index("</table>")])
    assert rows[0].startswith("evening anxiety")           # anxiety was fifth of six
    heads = re.findall(r"<th>([^<]*)</th>", evidence_table(result))
    assert heads == ["form", "evening anxiety", "sleep quality", "falling asleep", "GI nights"]
    observed = re.findall(r"<th>([^<]*)</th>", regimen_table(result))
    assert observed[3:5] == ["anxiety 0-10", "quality 1-5"] and observed[-1] == "GI nights"


def test_the_forms_not_taken_list_the_heaviest_outcome_first():
    untried = effects_section(as_person(RUTH)).split("forms you have not tried")[1]
    names = re.findall(r"<tr><td>[a-z]+</td><td>([^<]*)</td>", untried)
    assert names and names[:3] == ["awakenings", "sleep quality", "morning freshness"]


# --- F5: the first advice in the person's terms, from the priors ---

def test_outcome_evidence_says_what_the_priors_hold():
    priors = load_priors()
    for outcome in OUTCOMES:
        entries = [e for (_, o), e in priors.entries.items() if o == outcome]
        said = outcome_evidence(priors, outcome)
        own = [e.form for e in entries if e.basis == "direct"]
        if own:
            assert said.startswith(", ".join(own[:-1]) if len(own) > 1 else own[0])
        else:
            assert said.startswith("no form has")
        assert ("no form has any published evidence" in said) == all(
            e.basis == "reference" for e in entries)
    assert outcome_evidence(priors, "awakenings") == "no form has any published evidence"


def test_an_own_study_with_a_clear_effect_is_said_so_in_its_direction():
    priors = load_priors()
    key = ("taurate", "anxiety")
    for mean, words in ((-1.0, "a benefit"), (1.0, "harm")):   # anxiety: lower is better
        entry = dataclasses.replace(priors[key], basis="direct", mean=mean, sd=0.2)
        changed = dataclasses.replace(priors, entries=priors.entries | {key: entry})
        assert f"taurate's found {words}" in outcome_evidence(changed, "anxiety")


@pytest.mark.parametrize(("profile", "said"), [
    (RUTH, "on awakenings, which counts most for you, no form has any published evidence."),
    (SAM, "on evening anxiety, which counts most for you, glycinate, oxide and chloride have "
          "studies in people of their own: glycinate's found no clear effect (low certainty), "
          "and oxide's and chloride's found a benefit (very low certainty), so they count for "
          "little"),
    (PRIYA, "on morning freshness and evening anxiety, which count most for you: on morning "
            "freshness threonate has a study in people of its own"),
])
def test_the_first_advice_names_what_counts_most_and_its_evidence(profile, said):
    why = headline(first_step(as_person(profile))).why
    assert said in why
    assert "published evidence alone ranks them" not in why
    assert why.endswith("glycinate goes first as the most promising.")
    tied = first_step(as_person(profile), ("Planned crossover ... glycinate goes first "
                                           f"({tie_order_words()}).",))
    assert headline(tied).why.endswith(
        "glycinate goes first among forms as promising, as mgsleep's order of forms puts those "
        "gentler on the gut first.")


def test_a_first_step_by_expected_utility_says_the_evidence_on_what_counts_most():
    result = as_person(RUTH)
    rec = dataclasses.replace(result.decision.recommendation, reason_codes=("first_step",))
    said = headline(dataclasses.replace(result, decision=dataclasses.replace(
        result.decision, recommendation=rec))).why
    assert said.startswith("From published evidence alone (no magnesium nights yet)")
    assert said.endswith("; on awakenings, which counts most for you, no form has any "
                         "published evidence.")
