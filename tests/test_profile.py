"""The profile TOML: defaults, weights by complaint, errors naming file and key, the ceiling."""

import re
from pathlib import Path

import pytest
from conftest import at_key

from model.core.errors import InputError
from model.data.profile import COMPLAINT_WEIGHTS, Profile, ProfileWarning, load_profile


def write(tmp_path, text: str):
    path = tmp_path / "profile.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(priors):
    profile = load_profile(safety=priors.safety)
    assert profile.egfr is None and not profile.pregnant
    assert profile.conditions == () and profile.medications == () and profile.excluded_forms == ()
    assert profile.gut_sensitivity == "none" and profile.complaint == "sleep_onset"
    assert profile.max_elemental_mg == priors.safety.ceiling.default_mg_per_day == 350
    assert profile.outcome_weights() == COMPLAINT_WEIGHTS["sleep_onset"]


def test_an_empty_file_is_the_default_profile(tmp_path):
    assert load_profile(write(tmp_path, "")) == load_profile()


@pytest.mark.parametrize(("complaint", "top"), [("sleep_onset", "sol"),
                                                 ("night_waking", "awakenings"),
                                                 ("anxiety", "anxiety")])
def test_the_complaint_weighs_its_outcome_most(complaint, top):
    weights = Profile(complaint=complaint).outcome_weights()
    assert max(weights, key=weights.__getitem__) == top
    assert set(weights) == {"sol", "awakenings", "quality", "freshness", "anxiety"}


def test_racing_thoughts_weigh_sleep_onset_and_anxiety():
    weights = Profile(complaint="racing_thoughts").outcome_weights()
    assert weights["sol"] == weights["anxiety"] > weights["quality"] > weights["awakenings"]


def test_explicit_weights_override_one_outcome_at_a_time(tmp_path):
    profile = load_profile(write(tmp_path, 'complaint = "anxiety"\n[weights]\nsol = 3.0\n'))
    weights = profile.outcome_weights()        # relative: rescaled to the defaults' total
    assert weights["sol"] / weights["anxiety"] == pytest.approx(
        3.0 / COMPLAINT_WEIGHTS["anxiety"]["anxiety"])
    assert sum(weights.values()) == pytest.approx(sum(COMPLAINT_WEIGHTS["anxiety"].values()))


def test_a_full_profile_reads(tmp_path):
    # an unknown medicine is only accepted knowingly (allow_unknown), with a warning
    with pytest.warns(ProfileWarning, match="unknown medicine 'my-own-remedy'"):
        profile = load_profile(write(tmp_path, """
egfr = 85
pregnant = false
conditions = ["Heart Block"]
medications = ["LevoThyroxine", "my-own-remedy"]
gut_sensitivity = "ibs"
excluded_forms = ["Bisglycinate", "oxide"]
max_elemental_mg = 200
complaint = "night_waking"
[weights]
sol = 1.0
awakenings = 1.0
quality = 1.0
freshness = 1.0
anxiety = 1.0
"""), allow_unknown=True)
    assert profile.conditions == ("Heart Block",)
    assert profile.medications == ("LevoThyroxine", "my-own-remedy")
    assert profile.excluded_forms == ("glycinate", "oxide")
    assert profile.max_elemental_mg == 200
    assert set(profile.outcome_weights().values()) == {1.0}


@pytest.mark.parametrize(("text", "key", "hint"), [
    ("medicatons = []\n", "key medicatons", "did you mean 'medications'?"),
    ("[weights]\nslo = 1.0\n", "key weights.slo", "did you mean 'sol'?"),
])
def test_unknown_keys_get_a_hint(tmp_path, text, key, hint):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as error:
        load_profile(path)
    message = str(error.value)
    assert re.search(re.escape(f"{path}: ") + r"line \d+, " + key + ": unknown key", message)
    assert hint in message


@pytest.mark.parametrize(("text", "key"), [
    ("egfr = -1\n", "egfr"),
    ('gut_sensitivity = "severe"\n', "gut_sensitivity"),
    ('excluded_forms = ["oxid"]\n', "excluded_forms"),
    ("max_elemental_mg = -5\n", "max_elemental_mg"),
    ('complaint = "insomnia"\n', "complaint"),
    ('pregnant = "maybe"\n', "pregnant"),
    ("[weights]\nanxiety = -1\n", "weights.anxiety"),
])
def test_bad_values_name_file_and_key(tmp_path, text, key):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as error:
        load_profile(path)
    assert re.search(at_key(path, key) + ":", str(error.value))


def test_a_ceiling_written_in_grams_is_refused(tmp_path):
    """``max_elemental_mg = 0.35`` (grams meant) gave "Stop taking magnesium" and no word."""
    path = write(tmp_path, "max_elemental_mg = 0.35\n")
    with pytest.raises(InputError, match=at_key(path, "max_elemental_mg") + r": expected 0 or "
                       r"at least 1 mg a day: .*grams meant \(0.35 g = 350 mg\)\?"):
        load_profile(path)
    assert load_profile(write(tmp_path, "max_elemental_mg = 0\n")).max_elemental_mg == 0


def test_a_misspelt_form_gets_a_hint(tmp_path):
    with pytest.raises(InputError, match="did you mean 'oxide'"):
        load_profile(write(tmp_path, 'excluded_forms = ["oxid"]\n'))


def test_a_misspelt_referral_condition_is_an_error(tmp_path):
    path = write(tmp_path, 'conditions = ["asthma", "heart_blok"]\n')
    with pytest.raises(InputError) as error:
        load_profile(path)
    assert re.search(at_key(path, "conditions[2]") + ": unknown condition 'heart_blok'",
                     str(error.value))
    assert "did you mean 'heart block'" in str(error.value)


def test_unreadable_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not valid TOML"):
        load_profile(write(tmp_path, "egfr = = 3\n"))
    with pytest.raises(InputError, match=r"missing\.toml: file not found"):
        load_profile(tmp_path / "missing.toml")


def test_a_ceiling_above_the_safety_limit_is_clamped_with_a_warning(tmp_path):
    path = write(tmp_path, "max_elemental_mg = 500\n")
    with pytest.warns(ProfileWarning, match="max_elemental_mg: 500 mg/day is above"):
        profile = load_profile(path)
    assert profile.max_elemental_mg == 350


def test_a_lower_ceiling_is_kept_and_a_stricter_safety_file_wins(tmp_path, priors):
    assert load_profile(write(tmp_path, "max_elemental_mg = 200\n")).max_elemental_mg == 200
    strict = priors.safety.model_copy(update={
        "ceiling": priors.safety.ceiling.model_copy(update={"default_mg_per_day": 250.0})})
    assert load_profile(safety=strict).max_elemental_mg == 250
    with pytest.warns(ProfileWarning):
        clamped = load_profile(write(tmp_path, "max_elemental_mg = 300\n"), safety=strict)
    assert clamped.max_elemental_mg == 250


def test_a_profile_built_in_python_never_exceeds_the_ceiling(priors):
    assert Profile(max_elemental_mg=900).ceiling_mg(priors.safety) == 350
    assert Profile().ceiling_mg(priors.safety) == 350
    assert Profile(max_elemental_mg=120).ceiling_mg(priors.safety) == 120


@pytest.mark.parametrize("given, used", [("none", "ibs"), ("mild", "ibs"), ("ibs", "ibs")])
def test_chronic_diarrhoea_sets_the_gut_sensitivity_it_implies(tmp_path, given, used):
    """Crohn's disease as a condition only gave a caution that told the person to set
    gut_sensitivity themselves: the GI prior expected a gut like anyone's. The caution's
    ``gut_sensitivity`` is now applied, with a warning when it changes the profile."""
    path = tmp_path / "profile.toml"
    path.write_text(f'conditions = ["Crohn\'s disease"]\ngut_sensitivity = "{given}"\n')
    if given == used:
        assert load_profile(path).gut_sensitivity == used
        return
    with pytest.warns(ProfileWarning, match="makes loose stools likelier; gut_sensitivity 'ibs'"):
        assert load_profile(path).gut_sensitivity == used
    path.write_text('conditions = ["insomnia"]\n')
    assert load_profile(path).gut_sensitivity == "none"


def test_the_readme_profile_example_reads(tmp_path):
    """The README documents the profile itself (it pointed to a CONTRACT.md users do not
    have): its example must stay a valid profile."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("*The profile*")[1].split("\n\n")[1]
    path = tmp_path / "me.toml"
    path.write_text("\n".join(line[4:] for line in block.splitlines()))
    profile = load_profile(path)
    assert profile.age == 41 and profile.medications == ("levothyroxine",)
    assert profile.pregnant is False and Profile().pregnant is None   # not given: unknown


def test_a_blank_name_is_left_out_with_a_warning_naming_file_and_entry(tmp_path):
    path = write(tmp_path, 'medications = ["levothyroxine", " "]\nconditions = [""]\n')
    with pytest.warns(ProfileWarning) as caught:
        profile = load_profile(path)
    messages = [str(w.message) for w in caught]
    assert any(f"{path}: key medications[2]: blank" in m for m in messages)
    assert any(f"{path}: key conditions[1]: blank" in m for m in messages)
    assert profile.medications == ("levothyroxine",) and profile.conditions == ()


def test_the_readme_gives_each_complaints_default_weights():
    from model.data.profile import COMPLAINT_WEIGHTS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    text = " ".join(readme.split())
    assert "(sol, awakenings, quality, freshness, anxiety;" in text
    for complaint, weights in COMPLAINT_WEIGHTS.items():
        assert list(weights) == ["sol", "awakenings", "quality", "freshness", "anxiety"]
        assert f"`{complaint}` {', '.join(f'{w:g}' for w in weights.values())}" in text


def test_a_single_name_written_without_a_list_reads_as_one(tmp_path):
    """A user audit: ``medications = "digoxin"`` was refused with pydantic's "Input should be
    a valid tuple"; one name alone is a list of one (and a list of several is split)."""
    path = tmp_path / "p.toml"
    path.write_text('medications = "digoxin"\nconditions = "heart block, ibs"\n')
    with pytest.warns(ProfileWarning, match="irritable bowel"):
        profile = load_profile(path)
    assert profile.medications == ("digoxin",)
    assert profile.conditions == ("heart block", "ibs")
