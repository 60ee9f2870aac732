"""The evidence base: complete, traceable, certainty-weighted, validated on load."""

import dataclasses
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from model.core.errors import InputError, PriorsError
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
    """Every human entry of a form file graded ``grade`` (a claim stays low at most)."""
    blocks = path.read_text().split("[[studies]]")
    path.write_text("[[studies]]".join(
        block if re.search(r'kind = "(mechanistic|preclinical|marketing|expert)"', block)
        else re.sub(r'certainty = "[^"]+"', f'certainty = "{grade}"', block)
        for block in blocks))


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
        priors.with_override("glycinate", "sol", sd=-1, reason="t")


def test_an_override_survives_the_variants_and_explain_says_it_replaced_the_evidence(priors):
    """A priors audit: with_certainty_weight dropped an override without a word, sceptical
    replaced its reason, explain ended "=> prior N(-0.227, ...)" under "OVERRIDE: N(-0.300,
    ...)", and with_override("bisglycinate", ...) raised a bare KeyError."""
    changed = priors.with_override("bisglycinate", "sol", mean=-0.3, sd=0.1, reason="my MA")
    assert changed["glycinate", "sol"].mean == -0.3
    weighted = changed.with_certainty_weight(2.0)["glycinate", "sol"]
    assert (weighted.basis, weighted.mean, weighted.sd) == ("override", -0.3, 0.1)
    assert changed.with_certainty_weight(2.0)["citrate", "sol"] != priors["citrate", "sol"]
    sceptic = changed.sceptical(0.5)["glycinate", "sol"]
    assert sceptic.mean == -0.15 and sceptic.note == "my MA; sceptical: mean x 0.5"
    said = changed.explain("glycinate", "sol").splitlines()
    assert said[1] == "OVERRIDE: N(-0.300, 0.100); my MA"
    assert said[-2].startswith("=> the evidence alone: prior N(") and \
        said[-2].endswith("replaced by the OVERRIDE above")
    with pytest.raises(InputError, match="did you mean 'glycinate'"):
        priors.with_override("glycinat", "sol", mean=0.0, reason="t")


def test_the_variants_compose_and_a_sceptic_keeps_the_gi_harm(priors):
    """A researcher's audit: ``sceptical(0.5).with_certainty_weight(2)`` was not sceptical,
    ``with_certainty_weight(2)`` twice was 2 (not 4), and the sceptical check halved GI harm
    (citrate's loose-stool mean 0.412 became 0.206: more optimistic about loose stools)."""
    weighted = priors.with_certainty_weight(2.0)
    both = priors.sceptical(0.5).with_certainty_weight(2.0)
    for key in (("glycinate", "sol"), ("oxide", "quality"), ("citrate", "gi")):
        assert both[key].mean == pytest.approx(weighted.sceptical(0.5)[key].mean)
    assert both["glycinate", "sol"].mean == pytest.approx(weighted["glycinate", "sol"].mean / 2)
    twice = weighted.with_certainty_weight(2.0)["glycinate", "sol"].sd
    assert twice == pytest.approx(priors.with_certainty_weight(4.0)["glycinate", "sol"].sd)
    assert twice < weighted["glycinate", "sol"].sd
    sceptic = priors.sceptical(0.5)
    assert sceptic["citrate", "gi"] == priors["citrate", "gi"]
    halved = priors["citrate", "anxiety"].mean / 2
    assert sceptic["citrate", "anxiety"].mean == pytest.approx(halved)


@pytest.mark.parametrize(("se", "design", "refused"), [
    ("0.0116", "RCT, double-blind, placebo, 4 weeks", True),   # 155 allow 0.08 at least
    ("0.07", "RCT, double-blind, placebo, 4 weeks", True),
    ("0.09", "RCT, double-blind, placebo, 4 weeks", False),     # baseline-adjusted: possible
    ("0.07", "randomised crossover, 2 x 4 weeks", False)])      # within-person: possible
def test_an_se_smaller_than_its_n_allows_is_refused(priors_copy, se, design, refused):
    """A researcher's audit: an SMD with SE 0.0116 for 300 participants (two parallel groups
    give 0.115) was accepted and outweighed every other glycinate entry; the addendum's
    correction of SCHUSTER2025 was an SE its n could not give."""
    _edit(priors_copy, "forms/glycinate.toml", 'se = 0.161', f'se = {se}')
    _edit(priors_copy, "forms/glycinate.toml", 'design = "RCT, double-blind, placebo, 4 weeks; '
          '155 healthy adults with poor sleep"', f'design = "{design}"')
    if not refused:
        load_priors(priors_copy)
        return
    with pytest.raises(PriorsError, match=rf"glycinate\.toml.*se = {se}: below what n = 155 "
                       r"allows for an SMD \(at least 0\.0803"):
        load_priors(priors_copy)


@pytest.mark.parametrize(("effect", "refused"), [("1.0", False), ("2.5", True)])
def test_the_plausible_bound_is_on_what_an_entry_claims(priors_copy, effect, refused):
    """A researcher's audit: SMD 1.0 at 72 mg (Magtein 1 g) was refused as "effect -3.73
    exceeds the plausible bound 3.63 (max_abs_smd = 2.0 SMD)": the bound was checked after
    the scaling to the reference dose (x 2.06), on no number the entry gave."""
    _edit(priors_copy, "forms/threonate.toml", "effect = 0.0\nse = 0.224",
          f"effect = {effect}\nse = 0.224")
    if not refused:
        scaled = load_priors(priors_copy).syntheses["threonate", "quality"].contributions
        assert any(c.study_id == "HAUSENBLAS2024_ISI" for c in scaled)
        return
    with pytest.raises(PriorsError, match=r"threonate\.toml.*HAUSENBLAS2024_ISI.*exceeds the "
                       r"plausible bound"):
        load_priors(priors_copy)


def test_a_level_below_rct_beside_a_trial_is_refused(priors_copy):
    """A researcher's audit: ``evidence_level = "none"`` on glycinate, whose file has three
    trial entries, widened its sleep-onset prior from 0.267 to 0.405 without a word."""
    _edit(priors_copy, "forms/glycinate.toml", 'evidence_level = "rct"',
          'evidence_level = "none"')
    with pytest.raises(PriorsError, match=r"glycinate\.toml: line 3, key evidence_level: "
                       r"'none' beside the trial entries 'SCHUSTER2025'"):
        load_priors(priors_copy)


def test_a_confidence_interval_given_for_an_se_says_how_to_convert_it(priors_copy):
    """A researcher's audit: ``ci_low``/``ci_high`` were only "unknown key", with no word of
    the SE the files take instead."""
    _edit(priors_copy, "forms/glycinate.toml", "se = 0.161", "ci_low = -0.2\nci_high = 0.4")
    with pytest.raises(PriorsError, match=r"unknown key 'ci_low' \(give the interval as its "
                       r"SE: from a 95 % CI, se = \(upper - lower\) / 3\.92\)"):
        load_priors(priors_copy)


def test_an_rct_level_without_a_trial_is_refused(priors_copy):
    """A priors audit: malate labelled "rct" with only a marketing claim narrowed its SOL
    prior from 0.417 to 0.271 with no new evidence."""
    _edit(priors_copy, "forms/malate.toml", 'evidence_level = "preclinical"',
          'evidence_level = "rct"')
    with pytest.raises(PriorsError, match=r"malate\.toml: line \d+, key evidence_level: 'rct' "
                                          r"needs at "
                                          r"least one entry of kind 'trial'"):
        load_priors(priors_copy)


def test_explain_shows_each_entry_as_entered_and_an_assumed_dose(priors_copy):
    """A priors audit: explain showed "SCHUSTER2025 ... +0.387 (se 0.310)" without the SMD
    entered, its dose or the scaling to 300 mg; an entry without dose_mg was taken as 300 mg
    without a word."""
    said = load_priors(priors_copy).explain("oxide", "sol")
    assert ("MAH2021 [low, meta-analysis]: entered md effect -17.36, se 5.059, n 55 at "
            "500 mg/day, x0.87 to 300 mg -> -0.296 (se 0.103)") in said
    _edit(priors_copy, GLY, "dose_mg = 250\n", "")
    said = load_priors(priors_copy).explain("glycinate", "quality")
    assert "SCHUSTER2025 [low, trial]: entered smd_benefit effect 0, se 0.161, n 155 no dose " \
           "given: taken as 300 mg/day -> +0.000" in said


@pytest.mark.parametrize(("arguments", "key"), [
    ({"mean": float("nan"), "sd": 0.1}, "mean"), ({"mean": float("inf")}, "mean"),
    ({"mean": "0.3"}, "mean"), ({"mean": 0.1, "sd": float("nan")}, "sd"),
    ({"sd": float("inf")}, "sd"), ({"sd": 0.0}, "sd"), ({"sd": -1.0}, "sd"), ({"sd": True}, "sd")])
def test_an_override_must_be_a_finite_normal(priors, arguments, key):
    with pytest.raises(ValueError, match=rf"<override>: glycinate x sol: {key} must be a "):
        priors.with_override("glycinate", "sol", reason="t", **arguments)


def test_an_override_records_a_reason(priors):
    with pytest.raises(TypeError, match="reason"):
        priors.with_override("glycinate", "sol", mean=-0.3, sd=0.1)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="give the reason"):
        priors.with_override("glycinate", "sol", mean=-0.3, sd=0.1, reason="  ")
    changed = priors.with_override("glycinate", "sol", mean=-0.3, sd=0.1, reason="my MA")
    assert "my MA" in changed.explain("glycinate", "sol")


@pytest.mark.parametrize("factor", [0, -1, 0.0, float("nan"), float("inf"), "2", True])
def test_a_certainty_weight_must_be_positive_and_finite(priors, factor):
    with pytest.raises(ValueError, match="certainty weight must be a positive, finite number"):
        priors.with_certainty_weight(factor)


@pytest.mark.parametrize("shrink", [2.0, -1.0, 1.5, float("nan"), float("inf"), "0.5", True])
def test_a_sceptical_shrink_must_be_from_0_to_1(priors, shrink):
    """``sceptical(2)`` doubled every mean and ``sceptical(nan)`` gave NaN priors silently."""
    with pytest.raises(ValueError, match="shrink factor must be"):
        priors.sceptical(shrink)
    assert priors.sceptical(0.0)["glycinate", "sol"].mean == 0.0
    assert priors.sceptical(1)["glycinate", "sol"].mean == priors["glycinate", "sol"].mean


def test_a_prior_is_looked_up_by_any_spelling_of_its_form(priors):
    assert priors["Glycinate", "sol"] == priors["magnesium bisglycinate", "sol"] \
        == priors["glycinate", "sol"]
    with pytest.raises(KeyError, match="no prior for form 'orotate'"):
        priors["orotate", "sol"]


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
        assert row["ci_high"] - row["mean"] == pytest.approx(1.6449 * row["sd"], rel=1e-4)


def test_elemental_conversion_matches_labels():
    # FDA label: 400 mg MgO = 241.3 mg Mg; Magnespasmyl: 465.4 mg lactate dihydrate = 47.4 mg
    assert compound_to_elemental("oxide", 400) == pytest.approx(241.3, abs=0.2)
    assert compound_to_elemental("lactate", 465.4) == pytest.approx(47.4, abs=0.1)
    assert set(elemental_fractions()) == set(FORMS)


@pytest.mark.parametrize(("edit", "said"), [
    (("Magnesium taurate,Mg(C2H6NO3S)2,272.57,8.92,", "Magnesium taurate,Mg(C2H6NO3S)2,272.57,"
      "89.2,"), "line 13, column elemental_mg_percent: 89.2 % does not match the formula"),
    (("272.57,8.92,", "272.57,0.0892,"), "(8.92 %)"),
    (("Magnesium L-threonate anhydrous,Mg(C4H7O5)2,294.5,8.25,,",
      "Magnesium L-threonate anhydrous,Mg(C4H7O5)2,294.5,8.25,threonate,"),
     "a second default compound for 'threonate'"),
    (("elemental_mg_percent,", "elemental_percent,"), "line 1: missing column(s) "
                                                      "elemental_mg_percent"),
    (("272.57,8.92,", "272.57,8,92,"), "line 13: 7 fields, the header has 6"),
    # an outside audit: the column and the value named, and NaN not taken for a number
    (("272.57,8.92,", "272.57,8.9.2,"), "line 13, column elemental_mg_percent: expected a "
                                        "finite number, got '8.9.2'"),
    (("272.57,8.92,", "nan,8.92,"), "line 13, column molar_mass_g_per_mol: expected a finite "
                                    "number, got 'nan'"),
    (("Magnesium taurate", "Magnésium taurate"), "byte "),            # written as Latin-1
])
def test_a_wrong_elemental_fraction_is_refused_naming_file_and_line(priors_copy, edit, said):
    """A percent typed ten times too large (1,000 mg of taurate became 892 mg of magnesium,
    judged against the 350 mg ceiling), or as a fraction, or a second default compound for a
    form (the conversion then depended on row order) were accepted; a renamed column crashed
    and a Latin-1 file was not named."""
    path = priors_copy / "elemental_fractions.csv"
    text = path.read_text(encoding="utf-8").replace(*edit)
    path.write_bytes(text.encode("latin-1" if "é" in text else "utf-8", "replace"))
    with pytest.raises(PriorsError) as caught:
        elemental_fractions(priors_copy)
    assert str(path) in str(caught.value) and said in str(caught.value)


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
                       r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]\.source: "
                       r"Field required"),
    "negative sd": (GLY, "se = 0.161", "se = -0.161",
                    r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]\.se: .*greater "
                    r"than 0"),
    "unknown form": ("forms/malate.toml", 'form = "malate"', 'form = "malatte"',
                     r"malate\.toml: .*unknown form 'malatte' \(did you mean 'malate'\?\)"),
    "bad certainty": (GLY, 'certainty = "low"', 'certainty = "medium"',
                      r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]\.certainty: "
                      r"Input should"),
    "typo'd key": (GLY, "citation =", "citaton =",
                   r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]\.citaton: "
                   r"unknown key "
                   r"'citaton' \(did you mean 'citation'\?\)"),
    "duplicate entry": (GLY, "", "",
                        r"glycinate\.toml: line \d+, key studies\[7 id=SCHUSTER2025\]: "
                        r"duplicate id"),
    "unknown outcome": (GLY, 'outcome = "quality"', 'outcome = "sleepiness"',
                        r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]: unknown "
                        r"outcome"),
    "p out of range": ("forms/oxide.toml", "p = 0.006", "p = 1.5",
                       r"oxide\.toml: line \d+, key studies\[1 id=ABBASI2012\]\.p: .*less than 1"),
    "events exceed n": ("class.toml", "events = 6", "events = 60",
                        r"class\.toml: line \d+, key studies\[3 id=BASHIR1993_via_IOM\]: events "
                        r"\(60\) exceed n \(21\)"),
    "implausible effect": (GLY, "effect = 0.0\n", "effect = 9.0\n",
                           r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]: effect "
                           r".* exceeds"),
    "bad toml": (GLY, 'form = "glycinate"', 'form = "glycinate',
                 r"glycinate\.toml: not valid TOML"),
    "settings typo": ("settings.toml", "floor_smd = 0.3", "flor_smd = 0.3",
                      r"settings\.toml: line \d+, key certainty\.low\.flor_smd: unknown key "
                      r"'flor_smd' "
                      r"\(did you mean 'floor_smd'\?\)"),
    "negative power": ("settings.toml", "power = 0.25", "power = -0.25",
                       r"settings\.toml: line \d+, key certainty\.low\.power: .*greater than 0"),
    "missing measure field": (GLY, "se = 0.161\n", "",
                              r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]: "
                              r"measure 'smd_benefit' needs se"),
    "blank citation": (GLY, 'citation = "Schuster J, Cycelskij I, Lopresti A, Hahn A. Nat Sci '
                       'Sleep 2025;17:2027-2040"', 'citation = " \\t "',
                       r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]\.citation: "
                       r"must not be blank"),
    "blank excluded reason": ("forms/oxide.toml", 'reason = "already inside the class entry '
                              'MAH2021"', 'reason = "  "',
                              r"oxide\.toml: line \d+, key excluded\[2 "
                              r"id=ABBASI2012_SOL\]\.reason: must not be blank"),
    "effect as text": (GLY, "effect = 0.0\n", 'effect = "0.0"\n',
                       r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]\.effect: "
                       r"expected a "
                       r"number, got the text '0\.0'"),
    "n as text": (GLY, "n = 155", 'n = "155"',
                  r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]\.n: expected a "
                  r"number, got the text '155'"),
    "settings number as text": ("settings.toml", "power = 0.25", 'power = "0.25"',
                                r"settings\.toml: line \d+, key certainty\.low\.power: expected a "
                                r"number"),
    "excluded and encoded": (GLY, 'id = "SCHUSTER2025_ISI"', 'id = "SCHUSTER2025"',
                             r"glycinate\.toml: line \d+, key studies\[1 id=SCHUSTER2025\]: "
                             r"'SCHUSTER2025' "
                             r"is also listed under excluded\[1 id=SCHUSTER2025\] \(\"the "
                             r"primary outcome, insomnia severity.*encoded as SCHUSTER2025\"\)"),
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
    with pytest.raises(PriorsError, match=r"safety\.toml: file not found"):
        load_priors(priors_copy)


def test_installed_layout_is_found(tmp_path, monkeypatch):
    """A wheel ships priors/ as model/_default_priors; the loader finds it there."""
    import model.core.paths as paths

    fake_pkg = tmp_path / "model"
    shutil.copytree(paths.default_priors_dir(), fake_pkg / "_default_priors")
    monkeypatch.setattr(paths, "_PACKAGE", fake_pkg)
    assert paths.default_priors_dir() == fake_pkg / "_default_priors"


# --- one result counted once; certainty discounts in order ------------------------------------
def _study_block(root: Path, rel: str, ident: str) -> str:
    text = (root / rel).read_text()
    start = text.index(f'id = "{ident}"')
    end = text.find("[[", start)
    return "[[studies]]\n" + text[start:end if end != -1 else len(text)]


def _add(root: Path, rel: str, block: str) -> None:
    path = root / rel
    path.write_text(path.read_text() + "\n" + block)


def _faults(root: Path) -> list[str]:
    with pytest.raises(PriorsError) as caught:
        load_priors(root)
    return [str(f) for f in caught.value.faults]


def test_one_result_encoded_twice_is_refused_naming_both_ids(priors_copy):
    copy = _study_block(priors_copy, GLY, "SCHUSTER2025").replace(
        'id = "SCHUSTER2025"', 'id = "SCHUSTER2025_AGAIN"').replace(
        "Schuster J, Cycelskij I, Lopresti A, Hahn A.", "Schuster et al.").replace(
        "RCT, double-blind", "RCT,  Double-blind")           # same DOI, design as written
    _add(priors_copy, GLY, copy)
    faults = _faults(priors_copy)
    assert len(faults) == 1, faults
    assert re.search(r"glycinate\.toml: line \d+, key studies\[7 id=SCHUSTER2025_AGAIN\]: the "
                     r"same result "
                     r"as 'SCHUSTER2025' \(studies\[1 id=SCHUSTER2025\]\).*count twice",
                     faults[0]), faults


@pytest.mark.parametrize("edit", [("RCT, double-blind", "Randomised, placebo-controlled"),
                                  ("n = 155", "n = 150")])
def test_one_result_copied_with_other_words_or_n_is_refused(priors_copy, edit):
    """A priors audit: the same DOI, effect and SE under another id passed when its design
    was reworded or its n changed, and narrowed the prior (N(0.234, 0.641) to (0.292, 0.506))."""
    copy = _study_block(priors_copy, GLY, "SCHUSTER2025").replace(
        'id = "SCHUSTER2025"', 'id = "SCHUSTER2025_B"').replace(*edit)
    _add(priors_copy, GLY, copy)
    faults = _faults(priors_copy)
    assert len(faults) == 1 and "the same result as 'SCHUSTER2025'" in faults[0], faults


def test_a_class_result_encoded_again_for_a_form_is_refused(priors_copy):
    _add(priors_copy, "forms/oxide.toml", _study_block(priors_copy, "class.toml", "MAH2021")
         .replace('id = "MAH2021"', 'id = "MAH2021_OXIDE"'))
    faults = _faults(priors_copy)
    assert len(faults) == 1, faults
    assert re.search(r"oxide\.toml: line \d+, key studies\[3 id=MAH2021_OXIDE\]: the same result "
                     r"as "
                     r"'MAH2021' \(studies\[1 id=MAH2021\] of .*class\.toml\)", faults[0]), faults


def test_two_comparisons_of_one_study_are_kept(priors_copy):
    trial = _study_block(priors_copy, GLY, "SCHUSTER2025").replace(
        "Schuster J, Cycelskij I, Lopresti A, Hahn A. Nat Sci Sleep 2025;17:2027-2040",
        "Doe J. A three-arm trial. 2030").replace("doi:10.2147/NSS.S524348; PMID 40918053",
                                                  "doi:10.9999/three.arm")
    for form in ("glycinate", "taurate"):             # two forms' arms: two priors
        _add(priors_copy, f"forms/{form}.toml",
             trial.replace('id = "SCHUSTER2025"', f'id = "ARM_{form}"'))
    _edit(priors_copy, "forms/taurate.toml", 'evidence_level = "preclinical"',
          'evidence_level = "rct"')                   # a trial of taurate now
    _add(priors_copy, GLY, trial.replace('id = "SCHUSTER2025"', 'id = "ARM_glycinate_HIGH"')
         .replace('design = "', 'design = "the 500 mg arm; ')    # another arm, said in design
         .replace("dose_mg = 250", "dose_mg = 500"))
    sources = load_priors(priors_copy)["glycinate", "quality"].sources
    assert {"SCHUSTER2025", "ARM_glycinate", "ARM_glycinate_HIGH"} <= set(sources)


SETTINGS = "settings.toml"
VERY_LOW = "power = 0.111\nshrink = 1.0\nfloor_smd = 2.5"


@pytest.mark.parametrize(("old", "new", "expected"), [
    (VERY_LOW, "power = 1.0\nshrink = 1.0\nfloor_smd = 0.0",
     [r"key certainty\.very low\.power: 1 gives 'very low' evidence more weight than 'low' "
      r"\(0\.25\); power must not rise as the certainty falls",
      r"key certainty\.very low\.floor_smd: 0 gives 'very low' evidence more weight than 'low' "
      r"\(0\.3\); floor_smd must not fall as the certainty falls"]),
    ("power = 0.25\nshrink = 1.0\nfloor_smd = 0.3", "power = 0.444\nshrink = 1.0\nfloor_smd = 0.1",
     [r"key certainty\.low: the same power, shrink and floor_smd as 'moderate'"]),
    ("power = 0.444\nshrink = 1.0", "power = 0.444\nshrink = 0.9",
     [r"key certainty\.low\.shrink: 1 gives 'low' evidence more weight than 'moderate' \(0\.9\)"]),
])
def test_a_lower_certainty_may_not_count_more(priors_copy, old, new, expected):
    _edit(priors_copy, SETTINGS, old, new)
    faults = _faults(priors_copy)
    assert len(faults) == len(expected), faults
    for pattern, fault in zip(expected, faults, strict=True):
        assert re.search(r"settings\.toml: line \d+, " + pattern, fault), fault


def test_an_integer_is_fine_where_a_number_is_expected(priors_copy):
    _edit(priors_copy, GLY, "effect = 0.0\n", "effect = 0\n")
    _edit(priors_copy, SETTINGS, "power = 1.0", "power = 1")
    assert load_priors(priors_copy)["glycinate", "quality"].basis == "direct"


def test_a_larger_expectation_effect_for_the_sensitivity_check(priors):
    """A statistics audit: the prior sensitivity check never varied the expectation prior,
    on which a diary without placebo nights or a withdrawal leans most."""
    from model.analysis.sensitivity import SENSITIVITY_PRIORS, alternative_prior
    from model.evidence.personal_settings import OutcomeSpreads
    from model.likelihood.prior import PersonalPrior

    larger = alternative_prior(priors, "expectation")
    assert "expectation" in SENSITIVITY_PRIORS
    assert larger.settings.personal.expectation_mean_smd == pytest.approx(
        2 * priors.settings.personal.expectation_mean_smd)
    np.testing.assert_allclose(PersonalPrior.of(larger).expect_mu,
                               2 * PersonalPrior.of(priors).expect_mu)
    assert larger.to_json() == priors.to_json()       # the evidence priors are untouched
    own = priors.settings.personal.model_copy(update={
        "by_outcome": {"sol": OutcomeSpreads(expectation_mean_smd=0.4)}})
    settings = priors.settings.model_copy(update={"personal": own})
    with_own = dataclasses.replace(priors, evidence=dataclasses.replace(priors.evidence,
                                                                        settings=settings))
    assert alternative_prior(with_own, "expectation").settings.personal.value(
        "expectation_mean_smd", "sol") == pytest.approx(0.8)


def test_keeping_a_regimen_while_recording_nights_is_continuing_it():
    """"changes under the expectation prior (-> continue taurate@200)" stood beside the advice
    to keep taurate 200 mg and record more nights (a re-audit of the advice)."""
    from model.analysis.sensitivity import _kept

    assert _kept("collect_more_data") == _kept("continue") == "continue"
    assert _kept("switch_form") == "switch_form"
