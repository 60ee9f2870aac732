"""The evidence base after the 2026-11 addendum: indirectness, GI by chemistry, seed claims."""

import shutil
from pathlib import Path

import pytest

from model import load_priors
from model.core.errors import PriorsError
from model.core.forms import elemental_fractions
from model.core.paths import default_priors_dir
from model.evidence.schema import CERTAINTIES, EXPERT_KINDS

OSMOTIC = ("oxide", "citrate", "chloride", "lactate", "malate")
GENTLE = ("glycinate", "taurate", "threonate")


@pytest.fixture(scope="module")
def priors():
    return load_priors()


@pytest.fixture
def priors_copy(tmp_path: Path) -> Path:
    target = tmp_path / "priors"
    shutil.copytree(default_priors_dir(), target)
    return target


def _contribution(priors, form, outcome, study_id):
    return next(c for c in priors.syntheses[form, outcome].contributions
                if c.study_id == study_id)


def test_an_indirect_entry_counts_one_grade_lower(priors):
    abbasi = _contribution(priors, "oxide", "quality", "ABBASI2012")
    assert abbasi.certainty == "very low"            # graded low, indirect population
    tarleton = _contribution(priors, "chloride", "anxiety", "TARLETON2017")
    assert tarleton.certainty == "very low"          # graded low, open label
    schuster = _contribution(priors, "glycinate", "quality", "SCHUSTER2025")
    assert schuster.certainty == "low"               # direct: kept


def test_weak_evidence_is_discounted_once_not_twice(priors):
    """The mean of every entry enters as it is; weakness widens it (power and floor)."""
    for syn in priors.syntheses.values():
        for part in syn.contributions:
            assert part.mean == pytest.approx(part.raw)
            assert part.sd >= part.raw_se


def test_oxide_quality_prior_is_near_none(priors):
    """ABBASI2012 (ISI of Mg-deficient elderly) gave oxide the largest quality prior of all
    forms (addendum 2026-11, section 2): downgraded for indirectness, it leaves next to nothing."""
    assert float(priors.means().sel(form="oxide", outcome="quality")) < 0.1
    assert float(priors.sds().sel(form="oxide", outcome="quality")) > 0.9


def test_null_results_of_unreported_direction_are_centred_on_none(priors):
    """An outside audit: threonate's quality prior rested on a null result (p = 0.316) with "a
    direction favouring Mg assumed", the largest quality prior of any form, and its freshness
    prior on a daytime-impairment proxy while the same trial's restorative sleep (null) was
    left out; every new user was told to start threonate."""
    means = priors.means()
    assert float(means.sel(form="threonate", outcome="quality")) == 0.0
    assert float(means.sel(form="threonate", outcome="freshness")) < 0.1
    assert float(means.sel(outcome="quality").max()) < 0.1


def test_a_trial_that_measured_quality_counts_its_own_quality_result(priors):
    """Schuster 2025 found no effect on sleep quality (evidence brief, section 3); its
    insomnia severity (d = 0.20) stood in for quality and gave glycinate a quality prior of
    N(0.234, 0.641), as strong as any form's (priors audit)."""
    schuster = _contribution(priors, "glycinate", "quality", "SCHUSTER2025")
    assert schuster.raw == 0.0
    assert "read but not encoded: SCHUSTER2025_ISI" in priors.explain("glycinate", "quality")
    assert abs(priors["glycinate", "quality"].mean) < 0.05


def test_gi_prior_follows_chemistry(priors):
    gi = priors.means().sel(outcome="gi")
    least_osmotic = min(float(gi.sel(form=f)) for f in OSMOTIC)
    most_gentle = max(float(gi.sel(form=f)) for f in GENTLE)
    assert least_osmotic - most_gentle > 0.3          # log-odds at a 300 mg single intake
    for form in OSMOTIC:
        assert priors.syntheses[form, "gi"].group == "osmotic"
        assert "OSMOTIC_SALTS_LAXATIVE" in priors[form, "gi"].sources


def test_groups_change_only_the_outcomes_they_have_evidence_on(priors, priors_copy):
    (priors_copy / "groups.toml").write_text("groups = []\n")     # no form shares a group
    plain = load_priors(priors_copy)
    for form in OSMOTIC + GENTLE:
        assert plain[form, "sol"].mean == pytest.approx(priors[form, "sol"].mean)
        assert plain[form, "quality"].mean == pytest.approx(priors[form, "quality"].mean)
    assert priors["citrate", "gi"].mean > plain["citrate", "gi"].mean
    assert priors["taurate", "gi"].mean < plain["taurate", "gi"].mean


def test_a_form_in_two_groups_is_refused_with_the_file_named(priors_copy):
    path = priors_copy / "groups.toml"
    path.write_text(path.read_text().replace('forms = ["glycinate", "taurate", "threonate"]',
                                             'forms = ["glycinate", "taurate", "citrate"]'))
    with pytest.raises(PriorsError) as caught:
        load_priors(priors_copy)
    assert "groups.toml" in str(caught.value)
    assert "'citrate' is in groups 'osmotic' and 'chelate'" in str(caught.value)


def test_a_misspelt_form_in_a_group_gets_a_hint(priors_copy):
    path = priors_copy / "groups.toml"
    path.write_text(path.read_text().replace('"lactate", "malate"]', '"lactate", "malat"]'))
    with pytest.raises(PriorsError, match=r"groups\.toml.*did you mean 'malate'"):
        load_priors(priors_copy)


@pytest.mark.parametrize(("key", "source"), [
    (("glycinate", "sol"), "SEED_GLY_ONSET"),
    (("taurate", "sol"), "SEED_TAU_ONSET"),
    (("threonate", "anxiety"), "SEED_THR_RACING"),
    (("malate", "freshness"), "MARKETING_MALATE_ENERGY"),
    (("citrate", "gi"), "OSMOTIC_SALTS_LAXATIVE"),
    (("chloride", "anxiety"), "TARLETON2017"),
])
def test_the_seed_advice_and_new_sources_are_visible(priors, key, source):
    assert source in priors[key].sources
    assert source in priors.explain(*key)


def test_seed_claims_are_weak_enough_for_data_to_overturn(priors):
    """A very-low claim moves its prior mean by less than a tenth of the prior's own SD."""
    for key, source in ((("glycinate", "sol"), "SEED_GLY_ONSET"),
                        (("threonate", "anxiety"), "SEED_THR_RACING")):
        syn = priors.syntheses[key]
        assert _contribution(priors, *key, source).certainty == "very low"
        assert abs(syn.prior.mean - syn.class_prior.mean) < 0.1 * syn.prior.sd


def test_explain_shows_the_group_step(priors):
    text = priors.explain("citrate", "gi")
    assert "group osmotic evidence" in text
    assert "-> group effect" in text


def test_threonate_doses_use_the_magtein_label_fraction():
    assert elemental_fractions()["threonate"] == pytest.approx(0.072)


def test_mori_laxation_trial_is_read_but_not_encoded(priors):
    oxide = priors.evidence.form_files["oxide"]
    assert "MORI2019_JNM" in {e.id for e in oxide.excluded}
    assert "MORI2019_JNM" not in priors["oxide", "gi"].sources


# --- the certainty label: the grade of the evidence the basis names ----------------------------
def _append(path: Path, entry: str) -> None:
    path.write_text(path.read_text() + "\n" + entry)


def _entry(ident: str, outcome: str, kind: str, grade: str, scale: str, **extra: object) -> str:
    lines = [f'id = "{ident}"', f'outcome = "{outcome}"', f'kind = "{kind}"',
             f'citation = "{ident} (test)"', 'source = "test"', 'design = "test entry"',
             f'certainty = "{grade}"', f'measure = "{scale}"', "effect = 0.0", "se = 0.5",
             'derivation = "test"', *(f"{k} = {v!r}" for k, v in extra.items())]
    return "[[studies]]\n" + "\n".join(lines).replace("'", '"') + "\n"


def _grade(label: str) -> int:
    return CERTAINTIES.index(label)     # 0 = high ... 3 = very low


def test_labels_follow_the_basis(priors):
    """direct: the form's own human entries; expert and reference: very low; class and group:
    their best entry one grade lower (claims count as very low)."""
    for (form, outcome), entry in priors.entries.items():
        syn = priors.syntheses[form, outcome]
        if entry.basis in ("expert", "reference"):
            assert entry.certainty == "very low", (form, outcome)
        elif entry.basis == "direct":
            human = [c.certainty for c in syn.form_contributions if c.kind not in EXPERT_KINDS]
            assert entry.certainty == CERTAINTIES[min(map(CERTAINTIES.index, human))]
    assert priors["glycinate", "quality"].certainty == "low"          # SCHUSTER2025, direct
    assert priors["glycinate", "sol"].certainty == "very low"         # a seed claim only
    assert priors["citrate", "gi"].certainty == "very low"            # a mechanistic claim
    assert priors["oxide", "sol"].certainty == "very low"             # MAH2021 low, borrowed


@pytest.mark.parametrize("kind", ["marketing", "trial"])
def test_adding_very_low_evidence_never_raises_a_label(priors, priors_copy, kind):
    """One very-low entry per form and outcome (a claim, or a trial): no label rises."""
    scales = {o: s.scale for o, s in priors.settings.outcomes.items()}
    for outcome, scale in scales.items():
        for form in priors.evidence.form_files:
            _append(priors_copy / "forms" / f"{form}.toml",
                    _entry(f"VL_{form}_{outcome}", outcome, kind, "very low", scale))
    added = load_priors(priors_copy)
    for key, entry in priors.entries.items():
        assert _grade(added[key].certainty) >= _grade(entry.certainty), (key, kind)
    assert added["citrate", "sol"].certainty == "very low"           # was: low / expert


def test_an_expert_basis_is_very_low_whatever_the_class_grade(priors_copy):
    path = priors_copy / "class.toml"
    path.write_text(path.read_text().replace('certainty = "low"', 'certainty = "high"', 1))
    raised = load_priors(priors_copy)                 # MAH2021 (sol) graded high
    assert (raised["citrate", "sol"].certainty, raised["citrate", "sol"].basis) == (
        "moderate", "class")                          # borrowed: one grade lower
    assert (raised["taurate", "sol"].certainty, raised["taurate", "sol"].basis) == (
        "very low", "expert")                         # was: high / expert


def test_a_pooled_prior_has_the_grade_of_its_written_entry(priors_copy):
    path = priors_copy / "class.toml"
    path.write_text(path.read_text().replace('certainty = "low"', 'certainty = "high"', 1))
    _append(priors_copy / "forms" / "citrate.toml",
            _entry("POP_CITRATE_SOL", "sol", "population", "very low", "posterior", n=4))
    entry = load_priors(priors_copy)["citrate", "sol"]
    assert (entry.basis, entry.certainty) == ("pooled", "very low")  # was: high (MAH2021)
