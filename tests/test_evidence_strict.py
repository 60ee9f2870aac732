"""A researcher's priors directory is read as written: nothing dropped, ignored or defaulted.

Each test breaks a copy of the bundled priors in one way (the defects of the priors audit) and
expects one fault naming the file, the entry and the key.
"""

import re
from pathlib import Path

import pytest

from model.cli.main import main
from model.core.errors import PriorsError
from model.evidence.priorset import load_priors


def _faults(directory: Path) -> str:
    with pytest.raises(PriorsError) as caught:
        load_priors(directory)
    return str(caught.value)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _study(ident: str, outcome: str, measure: str, **numbers: object) -> str:
    """A ``[[studies]]`` entry with every text key, the kind and the numbers given."""
    kind = "population" if measure == "posterior" else "trial"
    lines = [f'id = "{ident}"', f'outcome = "{outcome}"', f'kind = "{kind}"',
             'certainty = "moderate"', f'measure = "{measure}"', 'citation = "audit"',
             'source = "audit"', 'design = "RCT"', 'derivation = "audit"',
             *(f"{key} = {value!r}".replace("'", '"') for key, value in numbers.items())]
    return "\n[[studies]]\n" + "\n".join(lines) + "\n"


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_a_directory_without_groups_toml_is_refused(priors_copy):
    (priors_copy / "groups.toml").unlink()
    assert re.search(r"groups\.toml: file missing.*groups = \[\]", _faults(priors_copy))


def test_an_empty_groups_toml_is_refused_and_groups_equals_empty_list_is_not(priors_copy):
    (priors_copy / "groups.toml").write_text("# nothing here\n")
    assert re.search(r"groups\.toml: no \[\[groups\]\]", _faults(priors_copy))
    (priors_copy / "groups.toml").write_text("groups = []\n")
    assert load_priors(priors_copy)["citrate", "gi"].basis == "class"


def test_a_form_without_its_file_is_refused_naming_the_expected_path(priors_copy):
    (priors_copy / "forms" / "lactate.toml").unlink()
    message = _faults(priors_copy)
    assert re.search(r"forms/lactate\.toml: file missing: .*no \[\[studies\]\] says the form "
                     "has no evidence", message)


def test_a_file_of_another_extension_in_forms_is_refused(priors_copy):
    forms = priors_copy / "forms"
    (forms / "lactate.toml").rename(forms / "lactate.tml")
    message = _faults(priors_copy)
    assert "lactate.tml: not a .toml file" in message
    assert "lactate.toml: file missing" in message
    (forms / "lactate.tml").rename(forms / ".lactate.toml.swp")   # hidden files are left alone
    (forms / "lactate.toml").write_text('form = "lactate"\nevidence_level = "none"\n')
    load_priors(priors_copy)


def test_a_form_file_of_scope_class_is_refused_not_dropped(priors_copy):
    _replace(priors_copy / "forms" / "glycinate.toml", 'form = "glycinate"', 'scope = "class"')
    assert re.search(r"forms/glycinate\.toml: key scope = 'class': a file in forms/ describes "
                     "one form", _faults(priors_copy))


@pytest.mark.parametrize("line", ['form = "glycinate"', 'evidence_level = "rct"'])
def test_a_form_key_in_class_toml_is_refused(priors_copy, line):
    _replace(priors_copy / "class.toml", 'scope = "class"\n', f'scope = "class"\n{line}\n')
    key = line.split()[0]
    assert re.search(rf"class\.toml: key {key}.* does not apply", _faults(priors_copy))


STRAY = {
    "direction on smd_benefit": ("quality", "smd_benefit",
                                 {"effect": 0.3, "se": 0.1, "n": 50, "direction": "harm"},
                                 r"key 'direction' does not apply to measure 'smd_benefit' "
                                 r"\(used by 'p_value'\)"),
    "effect on p_value": ("quality", "p_value",
                          {"p": 0.01, "direction": "benefit", "n": 50, "effect": -1.5,
                           "se": 0.1},
                          r"key 'effect' does not apply to measure 'p_value' \(used by 'md', "
                          r"'smd_benefit'.*key 'se' does not apply"),
    "baseline on log_ratio": ("sol", "log_ratio", {"effect": -0.2, "se": 0.1, "baseline": 30},
                              r"key 'baseline' does not apply to measure 'log_ratio' "
                              r"\(used by 'md'\)"),
    "dose on posterior": ("sol", "posterior", {"effect": -0.2, "se": 0.1, "dose_mg": 300},
                          r"key 'dose_mg' does not apply to measure 'posterior'"),
    "single dose on sol": ("sol", "log_ratio", {"effect": -0.2, "se": 0.1,
                                                "single_dose_mg": 100},
                           r"single_dose_mg applies to outcome 'gi' only"),
}


@pytest.mark.parametrize("name", sorted(STRAY))
def test_a_key_the_measure_does_not_use_is_refused_naming_entry_and_key(priors_copy, name):
    outcome, measure, numbers, pattern = STRAY[name]
    _append(priors_copy / "forms" / "oxide.toml", _study("A1", outcome, measure, **numbers))
    message = _faults(priors_copy)
    assert re.search(r"oxide\.toml: line \d+, key studies\[\d+ id=A1\]: " + pattern,
                     message), message


def test_a_form_file_without_evidence_level_is_refused(priors_copy):
    _replace(priors_copy / "forms" / "glycinate.toml", 'evidence_level = "rct"\n', "")
    assert re.search(r"glycinate\.toml: key evidence_level missing", _faults(priors_copy))


def test_settings_without_group_deviation_smd_is_refused(priors_copy):
    _replace(priors_copy / "settings.toml", "group_deviation_smd = 0.5\n", "")
    assert re.search(r"settings\.toml: key group_deviation_smd: Field required",
                     _faults(priors_copy))


RULES = {
    "field without below": ('field = "age"', r"field = 'age' needs `below`"),
    "neither condition nor field": ("", r"the rule names neither a `condition` nor a `field`"),
    "below without field": ('condition = "x"\nbelow = 3.0',
                            r"key below applies to field \"egfr\" or \"age\" only"),
}


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_safety_rule_that_could_never_fire_is_refused(priors_copy, name):
    keys, pattern = RULES[name]
    _append(priors_copy / "safety.toml", f'\n[[cautions]]\nid = "mine"\n{keys}\n'
            'reason = "audit"\nsource = "audit"\n')
    assert re.search(r"safety\.toml: line \d+, key cautions\[\d+ id=mine\]: " + pattern,
                     _faults(priors_copy))


def test_a_typo_in_a_ceiling_reference_is_refused(priors_copy):
    _replace(priors_copy / "safety.toml", "mg_per_day = 350\nscope", "mg_per_dya = 350\nscope")
    assert re.search(r"key ceiling\.references\[1 id=IOM1997_UL\]\.mg_per_dya: unknown key "
                     r"'mg_per_dya' \(did you mean 'mg_per_day'\?\)", _faults(priors_copy))


def test_an_id_used_on_two_outcomes_is_refused_naming_both_places(priors_copy):
    _replace(priors_copy / "forms" / "glycinate.toml", 'id = "SCHUSTER2025_ANX"',
             'id = "SCHUSTER2025"')
    assert re.search(r"glycinate\.toml: line \d+, key studies\[\d+ id=SCHUSTER2025\]: duplicate "
                     r"id: "
                     r"'SCHUSTER2025' is already used by \S+glycinate\.toml studies\[1 "
                     r"id=SCHUSTER2025\] \(outcome 'quality'\)", _faults(priors_copy))


def test_an_excluded_id_listed_twice_is_refused(priors_copy):
    _append(priors_copy / "forms" / "glycinate.toml",
            '\n[[excluded]]\nid = "X1"\nreason = "a"\n\n[[excluded]]\nid = "X1"\nreason = "b"\n')
    assert re.search(r"glycinate\.toml: line \d+, key excluded\[\d+ id=X1\]: duplicate: 'X1' is "
                     r"already "
                     r"listed as excluded\[\d+ id=X1\]", _faults(priors_copy))


def test_the_cli_exits_2_on_a_missing_form_file(priors_copy, capsys):
    (priors_copy / "forms" / "lactate.toml").unlink()
    assert main(["priors", "--priors", str(priors_copy), "--json", "-"]) == 2
    assert "lactate.toml: file missing" in capsys.readouterr().err


def test_a_misspelt_outcome_table_in_settings_is_named_with_a_hint(priors_copy):
    _replace(priors_copy / "settings.toml", "[outcomes.awakenings]", "[outcomes.awakening]")
    message = _faults(priors_copy)
    assert re.search(r"settings\.toml: line \d+, key outcomes\.awakening: unknown outcome "
                     r"'awakening' "
                     r"\(did you mean 'awakenings'\?\)", message), message
    assert "Field required" not in message


def test_an_empty_class_toml_says_its_scope_is_missing(priors_copy):
    (priors_copy / "class.toml").write_text("")
    assert re.search(r"class\.toml: key scope missing: expected scope = \"class\"",
                     _faults(priors_copy))


@pytest.mark.parametrize("key", ["gi_responsiveness_smd", "gi_form_deviation_smd",
                                 "expectation_mean_smd", "drift_mean_smd", "drift_smd",
                                 "drift_days"])
def test_a_personal_setting_is_required_not_defaulted(priors_copy, key):
    path = priors_copy / "settings.toml"
    lines = path.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(f"{key} =")]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept))
    assert re.search(rf"settings\.toml: line \d+, key personal\.{key}: Field required",
                     _faults(priors_copy))


def test_a_group_without_gut_sensitivity_factor_is_refused(priors_copy):
    _replace(priors_copy / "groups.toml", "gut_sensitivity_factor = 0.4", "")
    assert re.search(r"groups\.toml: line \d+, key groups\[2\]\.gut_sensitivity_factor: Field "
                     r"required",
                     _faults(priors_copy))
