"""A researcher's edits of the priors (an outside audit): nothing ignored or accepted in silence.

1. an entry beside a population posterior written back updates it (it was ignored); two
   posteriors on one form and outcome, or one outside a form file, are faults;
2. a claim without human data counts as "very low" whatever grade it is written with;
3. impossible or out-of-order edits are faults naming the file and the key;
4. ``mgsleep priors`` refuses a ``--json`` inside the priors in use and ``--json -`` with
   ``--explain``; another compound is never taken for the form spelt most alike;
5. a write-back rewrites ``[personal]`` lines however TOML spaces them, and refuses before
   the fit a source whose lines it could not rewrite.
"""

import re
import shutil
from pathlib import Path

import pytest

from model import load_priors
from model.cli.main import main
from model.core.errors import InputError, PriorsError
from model.evidence.synthesis import Normal
from model.population.writeback import SPREAD_KEYS, target_problem, write_spreads

GLY = "forms/glycinate.toml"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text() + text)


def _entry(ident: str, outcome: str, kind: str, measure: str, **keys: object) -> str:
    """A ``[[studies]]`` entry (a population posterior when ``measure`` is ``posterior``)."""
    lines = [f'id = "{ident}"', f'outcome = "{outcome}"', f'kind = "{kind}"',
             f'citation = "{ident} (audit)"', f'source = "doi:10.9999/{ident.lower()}"',
             'design = "audit entry"', f'measure = "{measure}"', 'derivation = "audit"',
             *(f"{key} = {value!r}".replace("'", '"') for key, value in keys.items())]
    return "\n[[studies]]\n" + "\n".join(lines) + "\n"


def _posterior(ident: str, outcome: str, effect: float = -0.1, se: float = 0.97,
               n: int = 12) -> str:
    return _entry(ident, outcome, "population", "posterior", certainty="very low", n=n,
                  effect=effect, se=se)


def _faults(root: Path) -> list[str]:
    with pytest.raises(PriorsError) as caught:
        load_priors(root)
    return [str(fault) for fault in caught.value.faults]


# --- 1. population posteriors -----------------------------------------------------------------
def test_a_trial_beside_a_population_posterior_updates_it(priors_copy):
    """It was ignored: the prior stayed the posterior, and ``--explain`` did not name it."""
    _append(priors_copy, "forms/taurate.toml", _posterior("POP_TAU_ANX", "anxiety")
            + _entry("NEWTRIAL2027", "anxiety", "trial", "smd_benefit", certainty="high",
                     n=400, dose_mg=300, effect=0.6, se=0.1))
    priors = load_priors(priors_copy)
    entry, syn = priors["taurate", "anxiety"], priors.syntheses["taurate", "anxiety"]
    assert syn.form_pool is not None
    expected = Normal(-0.1, 0.97).update(syn.form_pool[0], syn.form_pool[1])
    assert (entry.mean, entry.sd) == pytest.approx((expected.mean, expected.sd))
    assert entry.mean < -0.9 and (entry.basis, entry.certainty) == ("pooled", "high")
    said = priors.explain("taurate", "anxiety")
    assert "POP_TAU_ANX" in said and "used as it is" in said
    assert re.search(r"evidence the fit did not see, update it:\n(   - .*\n)*   - "
                     r"NEWTRIAL2027 \[high, trial\]", said), said
    assert said.splitlines()[-1] == (f"=> prior N({entry.mean:.3f}, {entry.sd:.3f}); basis "
                                     "pooled; certainty high")


def test_class_and_group_entries_under_a_posterior_are_named_not_used(priors_copy):
    """The JSON listed them among the sources, though the posterior replaced them."""
    _append(priors_copy, "forms/oxide.toml", _posterior("POP_OXIDE_GI", "gi"))
    priors = load_priors(priors_copy)
    assert priors["oxide", "gi"].sources == ("POP_OXIDE_GI",)
    said = priors.explain("oxide", "gi")
    assert re.search(r"not used for this prior .*: BASHIR1993_via_IOM \(class\), "
                     r"DICKINSON2006 \(class\), OSMOTIC_SALTS_LAXATIVE \(group osmotic\)",
                     said), said


def test_two_population_posteriors_on_one_outcome_are_a_fault_naming_both(priors_copy):
    """Only the first was used, while ``--explain`` showed both as used as they are."""
    _append(priors_copy, GLY, _posterior("POP_A", "quality", 0.1, 0.3)
            + _posterior("POP_B", "quality", 1.5, 0.05, n=40))
    faults = _faults(priors_copy)
    assert len(faults) == 1, faults
    assert re.search(r"glycinate\.toml: line \d+, key studies\[8 id=POP_B\]: a second population "
                     r"posterior on outcome 'quality' \(the first: studies\[7 id=POP_A\]\)",
                     faults[0]), faults


def test_a_population_posterior_in_class_toml_is_a_fault(priors_copy):
    _append(priors_copy, "class.toml", _posterior("POP_CLASS", "sol", -1.2, 0.01))
    faults = _faults(priors_copy)
    assert len(faults) == 1 and re.search(
        r"class\.toml: line \d+, key studies\[\d+ id=POP_CLASS\]: .*belongs in forms/<form>\.toml",
        faults[0]), faults


# --- 2. claims without human data -------------------------------------------------------------
def test_a_claim_is_graded_low_at_most(priors, priors_copy):
    """Graded high, effect -3 (se 0.1), it set glycinate's GI prior to N(-2.977, 0.100) while
    its label said "very low": a claim without human data is graded low or very low."""
    _edit(priors_copy, GLY, 'certainty = "very low"\nmeasure = "log_odds_ratio"\neffect = 0.0\n'
          'se = 0.5', 'certainty = "high"\nmeasure = "log_odds_ratio"\neffect = -3.0\nse = 0.1')
    with pytest.raises(PriorsError, match=r"certainty 'high' for a claim without human outcome "
                                          r"data \(kind 'marketing'\): grade it 'low' or 'very "
                                          r"low'"):
        load_priors(priors_copy)


def test_the_bundled_osmotic_claim_counts_as_written_and_is_labelled_very_low(priors):
    """OSMOTIC_SALTS_LAXATIVE (kind mechanistic) is graded low, as the evidence addendum
    (section 1) asks of the chemistry claim; the label of a prior it alone informs says very
    low."""
    syn = priors.syntheses["oxide", "gi"]
    claim = next(c for c in syn.group_contributions if c.study_id == "OSMOTIC_SALTS_LAXATIVE")
    grade = priors.settings.certainty["low"]
    assert claim.certainty == "low"
    assert claim.sd == pytest.approx((claim.raw_se**2 / grade.power
                                      + (grade.floor_smd * 1.814) ** 2) ** 0.5)
    assert priors["oxide", "gi"].certainty == "very low"


# --- 3. edits that were accepted without an error ---------------------------------------------
@pytest.mark.parametrize(("rel", "old", "new", "expected"), [
    ("settings.toml", "rct = 0.2\nhuman_pk = 0.4\npreclinical = 0.6\nnone = 0.6",
     "rct = 3.0\nhuman_pk = 1.0\npreclinical = 0.1\nnone = 0.1",
     r"settings\.toml: line \d+, key form_deviation\.human_pk: 1 holds a form with 'human_pk' "
     r"evidence "
     r"closer to the level above than one with 'rct' \(3\)"),
    ("class.toml", "single_dose_mg = 207", "single_dose_mg = 900",
     r"class\.toml: line \d+, key studies\[4 id=DICKINSON2006\]: key single_dose_mg = 900 exceeds "
     r"dose_mg = 413"),
    ("settings.toml", 'unit = "points (1-5)"', 'unit = "points (1-5)"\nbaseline = 3.0',
     r"settings\.toml: line \d+, key outcomes\.quality: key baseline = 3 is not used on the "
     r"logit_shift scale"),
    ("groups.toml", 'name = "chelate"', 'name = "osmotic"',
     r"groups\.toml: line \d+, key groups\[2\]\.name: a second group named 'osmotic' "
     r"\(groups\[1\]\)"),
    ("groups.toml", 'forms = ["oxide",', 'forms = ["oxide", "oxide",',
     r"groups\.toml: form 'oxide' is listed twice in group 'osmotic'"),
    ("forms/citrate.toml", "dose_mg = 320", "dose_mg = 0.32",
     r"citrate\.toml: line \d+, key studies\[1 id=NIELSEN2010\]: key dose_mg = 0\.32: below 10 mg "
     r"elemental magnesium; doses are in mg, not grams \(0\.32 g = 320 mg\?\)"),
])
def test_an_impossible_edit_is_a_fault_naming_file_and_key(priors_copy, rel, old, new,
                                                          expected):
    _edit(priors_copy, rel, old, new)
    faults = _faults(priors_copy)
    assert any(re.search(expected, f) for f in faults), faults


def test_one_trial_entered_again_on_its_outcome_with_another_measure_is_a_fault(priors_copy):
    """The same DOI, n and dose on the same outcome, with another design text and result
    (its ISI as a quality proxy beside its own quality result): counted twice."""
    text = (priors_copy / GLY).read_text()
    start = text.index('id = "SCHUSTER2025"')
    block = text[start:text.index("[[studies]]", start)]
    _append(priors_copy, GLY, "\n[[studies]]\n" + block.replace(
        'id = "SCHUSTER2025"', 'id = "SCHUSTER2025_ISIQ"').replace(
        "155 healthy adults with poor sleep", "ISI as quality proxy").replace(
        "effect = 0.0", "effect = 0.20"))
    faults = _faults(priors_copy)
    assert len(faults) == 1 and "studies[7 id=SCHUSTER2025_ISIQ]: the same result as " \
        "'SCHUSTER2025'" in faults[0], faults


# --- 4. mgsleep priors ------------------------------------------------------------------------
def test_json_inside_the_priors_in_use_is_refused(priors_copy, capsys):
    """The next load of the folder failed on forms/new.json ("not a .toml file")."""
    out = priors_copy / "forms" / "new.json"
    assert main(["priors", "--priors", str(priors_copy), "--json", str(out)]) == 2
    assert "lies inside the priors directory in use" in capsys.readouterr().err
    assert not out.exists()
    load_priors(priors_copy)


@pytest.mark.parametrize("explain", ["oxide:gi", "nothing:at_all"])
def test_explain_with_json_on_stdout_is_an_error(capsys, explain):
    """``--explain`` was dropped without a word, even an invalid one."""
    assert main(["priors", "--json", "-", "--explain", explain]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--explain: prints text to standard output" in err


def test_an_invalid_explain_writes_no_json(tmp_path, capsys):
    out = tmp_path / "priors.json"
    assert main(["priors", "--json", str(out), "--explain", "glycinat:sol"]) == 2
    assert not out.exists() and "did you mean 'glycinate'" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "wrong"), [("carbonate", "threonate"), ("sulfate", "malate")])
def test_another_compound_is_never_taken_for_a_form(priors, priors_copy, name, wrong):
    with pytest.raises(InputError) as caught:
        priors.explain(name, "sol")
    message = str(caught.value)
    assert "is none of the forms mgsleep models" in message and wrong not in message
    shutil.copy(priors_copy / "forms" / "malate.toml", priors_copy / "forms" / f"{name}.toml")
    _edit(priors_copy, f"forms/{name}.toml", 'form = "malate"', f'form = "{name}"')
    faults = [f for f in _faults(priors_copy) if f"{name}.toml" in f]
    assert faults and "is none of the forms" in faults[0] and "did you mean" not in faults[0]


# --- 5. write-back of the fitted [personal] values --------------------------------------------
def test_spreads_are_written_whatever_toml_spacing(priors_copy):
    """``responsiveness_smd  = 0.5`` (valid TOML) crashed the write-back after the fit."""
    settings = priors_copy / "settings.toml"
    _edit(priors_copy, "settings.toml", "responsiveness_smd = 0.5 ", "responsiveness_smd  = 0.5")
    _edit(priors_copy, "settings.toml", "trend_smd = 0.3", '"trend_smd"\t=  0.3')
    write_spreads(settings, {"responsiveness_smd": 0.42, "trend_smd": 0.25})
    assert "responsiveness_smd  = 0.420 " in settings.read_text()
    personal = load_priors(priors_copy).settings.personal
    assert (personal.responsiveness_smd, personal.trend_smd) == (0.42, 0.25)


def test_a_source_whose_spreads_cannot_be_written_is_refused_before_the_fit(priors_copy,
                                                                           tmp_path):
    """The fit ran to its end, then the write-back failed on the source's settings.toml."""
    assert target_problem(tmp_path / "out", False, {"--priors": str(priors_copy)}) is None
    _edit(priors_copy, "settings.toml", "responsiveness_smd = 0.5 ", "# responsiveness_smd = 0.5 ")
    _append(priors_copy, "settings.toml", "\n[personal.by_outcome.sol]\nresponsiveness_smd = 1\n")
    why = target_problem(tmp_path / "out", False, {"--priors": str(priors_copy)})
    assert why is not None and "responsiveness_smd (0 lines)" in why, why
    assert set(SPREAD_KEYS) - {"responsiveness_smd"} and "form_deviation_smd" not in why
