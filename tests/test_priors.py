"""The evidence base: complete, traceable, certainty-weighted, validated on load."""

import json
import re
import shutil
from pathlib import Path

import pytest

from model.core.errors import PriorsError
from model.core.forms import FORMS, compound_to_elemental, elemental_fractions
from model.core.outcomes import OUTCOMES
from model.evidence.priorset import TABLE_COLUMNS, load_priors
from model.evidence.schema import CERTAINTIES


def test_every_form_and_outcome_has_a_traceable_prior(priors):
    table = priors.table()
    assert len(table) == len(FORMS) * len(OUTCOMES)
    for (form, outcome), row in table.iterrows():
        assert row["sd"] > 0
        assert row["basis"] in {"direct", "expert", "group", "class", "reference"}
        assert row["certainty"] in CERTAINTIES
        if row["basis"] != "reference":
            assert row["sources"], f"{form} x {outcome} has no sources"
        assert form in priors.explain(form, outcome)


def test_bases_follow_the_evidence(priors):
    assert priors["glycinate", "quality"].basis == "direct"
    assert priors["taurate", "anxiety"].basis == "expert"      # rat data only
    assert priors["malate", "freshness"].basis == "expert"     # marketing claim only
    assert priors["oxide", "sol"].basis == "class"             # Abbasi is inside MAH2021
    assert priors["oxide", "sol"].sources == ("MAH2021",)
    assert priors["chloride", "awakenings"].basis == "reference"
    # magnesium shortens sleep onset in the class evidence (log ratio < 0)
    assert priors["citrate", "sol"].mean < 0


def test_sources_exist_in_the_files(priors):
    ids = {s.id for s in priors.evidence.class_file.studies}
    ids |= {s.id for f in priors.evidence.form_files.values() for s in f.studies}
    ids |= {s.id for g in priors.evidence.groups.groups for s in g.studies}
    for entry in priors.entries.values():
        assert set(entry.sources) <= ids


def _first_study_block(text: str) -> tuple[int, int]:
    start = text.index("[[studies]]")
    end = text.find("[[", start + 5)
    return start, end if end != -1 else len(text)


def _set_certainty(path: Path, grade: str) -> None:
    text = path.read_text()
    text = re.sub(r'certainty = "[^"]+"', f'certainty = "{grade}"', text)
    path.write_text(text)


def test_weaker_certainty_gives_a_wider_prior(priors_copy):
    sds = []
    for grade in CERTAINTIES:
        _set_certainty(priors_copy / "forms" / "glycinate.toml", grade)
        sds.append(load_priors(priors_copy)["glycinate", "quality"].sd)
    assert sds == sorted(sds), sds
    assert sds[0] < sds[-1]


def test_doubling_certainty_weights_narrows_direct_priors(priors):
    doubled = priors.with_certainty_weight(2.0)
    for key, entry in priors.entries.items():
        if entry.basis == "direct":
            assert doubled[key].sd < entry.sd


VERY_LOW_BOUND_SMD = 0.25


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("sign", [1, -1])
def test_a_very_low_claim_barely_moves_the_prior(priors_copy, outcome, sign):
    """The most extreme very-low claim allowed moves any prior mean by < 0.25 SMD."""
    base = load_priors(priors_copy)
    settings = base.settings
    smd_sd = settings.outcomes[outcome].smd_sd
    scale = settings.outcomes[outcome].scale
    effect = sign * settings.max_abs_smd * smd_sd * 0.999
    claim = f'''
[[studies]]
id = "EXTREME_CLAIM"
outcome = "{outcome}"
kind = "marketing"
citation = "an extreme claim"
source = "test"
design = "claim"
certainty = "very low"
measure = "{scale}"
effect = {effect}
se = 0.0001
derivation = "test"
'''
    for form in FORMS:
        path = priors_copy / "forms" / f"{form}.toml"
        original = path.read_text()
        path.write_text(original.replace("\n[[", claim + "\n[[", 1) if "[[" in original
                        else original + claim)
        moved = load_priors(priors_copy)
        shift = abs(moved[form, outcome].mean - base[form, outcome].mean)
        assert shift < VERY_LOW_BOUND_SMD * smd_sd, (form, outcome, shift / smd_sd)
        assert shift > 0
        path.write_text(original)


def test_the_real_preclinical_claim_for_taurate_moves_less_than_005_smd(priors):
    smd = priors.settings.outcomes["anxiety"].smd_sd
    syn = priors.syntheses["taurate", "anxiety"]
    assert abs(syn.prior.mean - syn.class_prior.mean) < 0.05 * smd


def test_override_and_sceptical(priors):
    changed = priors.with_override("citrate", "sol", mean=-0.3, sd=0.1, reason="my MA")
    assert changed["citrate", "sol"].basis == "override"
    assert changed["citrate", "sol"].mean == -0.3
    assert priors["citrate", "sol"].basis == "class"  # the original is untouched
    assert "OVERRIDE" in changed.explain("citrate", "sol")
    sceptic = priors.sceptical(0.5)
    assert sceptic["citrate", "sol"].mean == pytest.approx(priors["citrate", "sol"].mean / 2)
    with pytest.raises(PriorsError):
        priors.with_override("glycinate", "sol", sd=-1)


def test_json_and_pymc_views(priors):
    records = json.loads(json.dumps(priors.to_json()))
    assert len(records) == len(FORMS) * len(OUTCOMES)
    assert set(records[0]) == {"form", "outcome", "scale", "mean", "sd", "certainty", "basis",
                               "sources"}
    prior = priors.to_pymc()["glycinate", "quality"]
    assert prior.distribution == "Normal"
    assert prior.parameters["mu"] == pytest.approx(priors["glycinate", "quality"].mean)
    grid = priors.means()
    assert grid.dims == ("form", "outcome")
    assert float(grid.sel(form="oxide", outcome="sol")) == priors["oxide", "sol"].mean


def test_rows_are_the_table_without_pandas(priors):
    rows, table, records = priors.rows(), priors.table(), priors.to_json()
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert [(r["form"], r["outcome"]) for r in rows] == list(table.index)
    for row, record in zip(rows, records, strict=True):
        assert table.loc[row["form"], row["outcome"]].to_dict() == {
            c: row[c] for c in TABLE_COLUMNS}
        assert row["sources"] == ", ".join(record["sources"])
        assert row["ci_low"] < row["mean"] < row["ci_high"]
        assert row["ci_high"] - row["mean"] == pytest.approx(1.96 * row["sd"])


def test_elemental_conversion_matches_labels():
    # FDA label: 400 mg MgO = 241.3 mg Mg; Magnespasmyl: 465.4 mg lactate dihydrate = 47.4 mg
    assert compound_to_elemental("oxide", 400) == pytest.approx(241.3, abs=0.2)
    assert compound_to_elemental("lactate", 465.4) == pytest.approx(47.4, abs=0.1)
    assert set(elemental_fractions()) == set(FORMS)


def test_safety_facts_are_data(priors):
    safety = priors.safety
    assert safety.ceiling.default_mg_per_day == 350
    assert {c.id for c in safety.contraindications} >= {
        "severe_renal_impairment", "pregnancy", "myasthenia_gravis", "heart_block"}
    meds = {m for i in safety.interactions for m in i.medications}
    assert {"doxycycline", "ciprofloxacin", "alendronate", "levothyroxine", "gabapentin",
            "omeprazole", "furosemide"} <= meds
    assert {o: s.mcid for o, s in priors.settings.outcomes.items()}["sol"] == 20


# --- malformed files: each fault gives one line naming the file and the key -------------------
GLY = "forms/glycinate.toml"


def _edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def _duplicate_first_study(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    start, end = _first_study_block(text)
    path.write_text(text + "\n" + text[start:end])


FAULTS = {
    "missing source": (GLY, 'source = "doi:10.2147/NSS.S524348; PMID 40918053"\n', "",
                       r"glycinate\.toml: key studies\[1 id=SCHUSTER2025\]\.source: "
                       r"Field required"),
    "negative sd": (GLY, "se = 0.16", "se = -0.16",
                    r"glycinate\.toml: key studies\[1 id=SCHUSTER2025\]\.se: .*greater than 0"),
    "unknown form": ("forms/malate.toml", 'form = "malate"', 'form = "malatte"',
                     r"malate\.toml: .*unknown form 'malatte' \(did you mean 'malate'\?\)"),
    "bad certainty": (GLY, 'certainty = "low"', 'certainty = "medium"',
                      r"glycinate\.toml: key studies\[1 id=SCHUSTER2025\]\.certainty: "
                      r"Input should"),
    "typo'd key": (GLY, "citation =", "citaton =",
                   r"glycinate\.toml: key studies\[1 id=SCHUSTER2025\]\.citaton: unknown key "
                   r"'citaton' \(did you mean 'citation'\?\)"),
    "duplicate entry": (GLY, "", "",
                        r"glycinate\.toml: key studies\[7 id=SCHUSTER2025\]: duplicate entry"),
    "unknown outcome": (GLY, 'outcome = "quality"', 'outcome = "sleepiness"',
                        r"glycinate\.toml: key studies\[1 id=SCHUSTER2025\]: unknown outcome"),
    "p out of range": ("forms/oxide.toml", "p = 0.006", "p = 1.5",
                       r"oxide\.toml: key studies\[1 id=ABBASI2012\]\.p: .*less than 1"),
    "events exceed n": ("class.toml", "events = 6", "events = 60",
                        r"class\.toml: key studies\[3 id=BASHIR1993_via_IOM\]: events \(60\) "
                        r"exceed n \(21\)"),
    "implausible effect": (GLY, "effect = 0.20", "effect = 9.0",
                           r"glycinate\.toml: key studies\[1 id=SCHUSTER2025\]: effect .* exceeds"),
    "bad toml": (GLY, 'form = "glycinate"', 'form = "glycinate',
                 r"glycinate\.toml: not valid TOML"),
    "settings typo": ("settings.toml", "floor_smd = 0.3", "flor_smd = 0.3",
                      r"settings\.toml: key certainty\.low\.flor_smd: unknown key 'flor_smd' "
                      r"\(did you mean 'floor_smd'\?\)"),
    "negative power": ("settings.toml", "power = 0.25", "power = -0.25",
                       r"settings\.toml: key certainty\.low\.power: .*greater than 0"),
    "missing measure field": (GLY, "se = 0.16\n", "",
                              r"glycinate\.toml: key studies\[1 id=SCHUSTER2025\]: measure "
                              r"'smd_benefit' needs se"),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_malformed_priors_give_one_clear_line(priors_copy, name):
    rel, old, new, pattern = FAULTS[name]
    if name == "duplicate entry":
        _duplicate_first_study(priors_copy, rel, old, new)
    else:
        _edit(priors_copy, rel, old, new)
    with pytest.raises(PriorsError) as caught:
        load_priors(priors_copy)
    message = str(caught.value)
    assert len(caught.value.faults) == 1, message
    assert "\n" not in message
    assert re.search(pattern, message), message


def test_all_faults_are_reported_together(priors_copy):
    _edit(priors_copy, GLY, "se = 0.16", "se = -0.16")
    _edit(priors_copy, "forms/oxide.toml", "p = 0.006", "p = 1.5")
    with pytest.raises(PriorsError) as caught:
        load_priors(priors_copy)
    assert len(caught.value.faults) == 2


def test_missing_directory_and_file(tmp_path, priors_copy):
    with pytest.raises(PriorsError, match="not a directory"):
        load_priors(tmp_path / "nope")
    (priors_copy / "safety.toml").unlink()
    with pytest.raises(PriorsError, match=r"safety\.toml: cannot read"):
        load_priors(priors_copy)


def test_installed_layout_is_found(tmp_path, monkeypatch):
    """A wheel ships priors/ as model/_default_priors; the loader finds it there."""
    import model.core.paths as paths

    fake_pkg = tmp_path / "model"
    shutil.copytree(paths.default_priors_dir(), fake_pkg / "_default_priors")
    monkeypatch.setattr(paths, "_PACKAGE", fake_pkg)
    assert paths.default_priors_dir() == fake_pkg / "_default_priors"
