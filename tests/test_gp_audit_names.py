"""A general practitioner's audit of the clinician page (/tmp/hC, findings 2, 3, 5, 6, 11, 12).

Each test fails on the code and safety data before the fix: digoxin's rule said nothing of
magnesium lowering its absorption (and cited the PPI notice); unknown medicines were shown as
other drugs (clarithromycin as tetracycline, pyridostigmine as pyridoxine, quinine as
quinidine); a prescription line with a course length was refused; the pregnancy, kidney and
myasthenia reasons were inaccurate or incomplete, and the severe-kidney reason told the
clinician how to write a profile. No MCMC: the hard rules are screened directly, or decided
with a fake posterior.
"""

import datetime as dt
import warnings
from pathlib import Path

import pytest

from model.core.errors import InputError
from model.core.regimen import Regimen
from model.data.profile import Profile, ProfileWarning, load_profile
from model.decision import History, decide, screen
from model.evidence import names
from model.evidence.floor import bundled_safety
from model.evidence.names import NameIndex, unknown_message
from model.testing import FakePosterior

SAFETY = bundled_safety()
INDEX = NameIndex.of(SAFETY)
AS_OF = dt.date(2025, 3, 1)
ON_GLYCINATE = History(Regimen("glycinate", 200.0, False), 30, frozenset({"glycinate"}), 0)


def _group(name: str):
    return next(g for g in SAFETY.interactions if g.group == name)


def _rule(rule_id: str):
    return next(c for c in (*SAFETY.contraindications, *SAFETY.cautions) if c.id == rule_id)


def _loaded(tmp_path: Path, text: str, allow_unknown: bool = False) -> tuple[Profile, list[str]]:
    path = tmp_path / "p.toml"
    path.write_text(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        profile = load_profile(path, safety=SAFETY, allow_unknown=allow_unknown)
    assert all(issubclass(w.category, ProfileWarning) for w in caught)
    return profile, [str(w.message) for w in caught]


# Finding 2: digoxin and digitoxin ------------------------------------------------------------

def test_digoxin_rule_says_magnesium_lowers_its_absorption_and_how_to_space_them():
    digoxin = _group("digoxin")
    assert digoxin.kind == "clinician" and digoxin.medications == ("digoxin",)
    assert digoxin.rule.startswith("low magnesium raises digoxin toxicity")
    assert "lowers its absorption" in digoxin.rule and "2-3 h apart" in digoxin.rule
    assert "its dose or its timing" in digoxin.rule    # parting them is a change too
    assert "FDA 2011 DSC" not in digoxin.source      # the PPI notice
    assert "Brown DD, Juhl RP, N Engl J Med 1976;295:1034" in digoxin.source
    assert "section 4.5" in digoxin.source
    digitoxin = _group("digitoxin")
    assert digitoxin.kind == "clinician" and "2-3 h apart" in digitoxin.rule


def test_digoxin_hold_names_the_spacing_beside_a_quinolone(tmp_path):
    profile, _ = _loaded(tmp_path, 'medications = ["ciprofloxacin 500 mg", "Lanoxin 125 mcg"]\n')
    rules = screen(profile, SAFETY)
    assert len(rules.holds) == 1 and rules.medicine_hold
    assert rules.holds[0].startswith("Lanoxin 125 mcg: low magnesium raises digoxin toxicity")
    assert "2-3 h apart" in rules.holds[0]


# Finding 3: near misses only within a typo ----------------------------------------------------

@pytest.mark.parametrize(("written", "meant"), [
    ("ciprofloxacine", "ciprofloxacin"), ("levothyroxin", "levothyroxine"),
    ("digoxine", "digoxin"), ("digxoin", "digoxin"), ("raltegravire", "raltegravir"),
    ("digoksin", "digoxin")])
def test_a_real_typo_of_a_known_medicine_still_gets_its_rules(written, meant):
    assert INDEX.match(written, "medicine") is None
    assert INDEX.match(INDEX.suggest(f"{written} 50 mg", "medicine"), "medicine") == meant
    rules = screen(Profile(medications=(written,)), SAFETY)
    said = [*rules.warnings, *rules.holds, *rules.referrals]
    assert any(f"taken as {meant}" in line for line in said), said


@pytest.mark.parametrize(("written", "known"), [
    ("quinine", "quinidine"), ("pyridostigmine", "pyridoxine"),
    ("clarithromycin", "achromycin"), ("azithromycin", "achromycin"),
    ("erythromycin", "achromycin"), ("lorazepan", "oxazepam")])
def test_a_name_beyond_a_typo_is_never_taken_for_another(written, known):
    assert names.closest_typo(written, [known]) is None


def test_the_typo_bound():
    assert names.typo_edits("digxoin", "digoxin") == 1            # a swap is one edit
    assert names.typo_edits("quinine", "quinidine") == 2
    assert names.closest_typo("quinine", ["quinidine"]) is None    # 2 of 7 letters: over a quarter
    assert names.closest_typo("digoksin", ["digoxin"]) == "digoxin"   # 2 of 8
    assert names.closest_typo("ppi_s", ["ppis"]) == "ppis"          # marks are no letters
    assert names.closest_typo("prazepam", ["oxazepam"]) is None     # another first letter


@pytest.mark.parametrize("unknown", ["erythromycin 500 mg", "roxithromycin", "pefloxacin"])
def test_an_unknown_medicine_beyond_a_typo_stays_not_checked(unknown):
    """``clarithromycin 500 mg`` was "taken as tetracycline ... it binds the antibiotic"."""
    assert "did you mean" not in unknown_message(unknown, "medicine", INDEX)
    rules = screen(Profile(medications=(unknown,)), SAFETY)
    assert rules.unchecked == (unknown,)
    assert rules.warnings == (next(w for w in rules.warnings if w.startswith("NOT CHECKED")),)
    assert "taken as" not in rules.warnings[0] and not rules.holds and not rules.referrals


def test_the_audits_medicines_are_known_with_their_label_rules(tmp_path):
    """/tmp/hC/p7.toml, which needed --allow-unknown and showed three other drugs."""
    profile, said = _loaded(tmp_path, 'medications = ["clarithromycin 500 mg", '
                            '"quinine sulfate 200 mg", "pyridostigmine 60 mg", "Zithromax"]\n')
    assert not said
    rules = screen(profile, SAFETY)
    assert not rules.unchecked
    text = " ".join((*rules.warnings, *rules.referrals))
    assert "tetracycline" not in text and "quinidine (" not in text and "pyridoxine" not in text
    assert not any(w.startswith("clarithromycin") for w in rules.warnings)   # no rule
    assert any(w.startswith("quinine sulfate 200 mg: take quinine and magnesium 3-4 h apart")
               for w in rules.dose_rules), rules.dose_rules
    assert any(w.startswith("Zithromax (azithromycin): take azithromycin and magnesium at "
                            "least 3 h apart") for w in rules.dose_rules), rules.dose_rules


def test_pyridostigmine_brings_the_myasthenia_rule_once():
    """It treats only myasthenia gravis: listed alone it refers as the condition would."""
    alone = screen(Profile(medications=("Mestinon 60 mg",)), SAFETY)
    both = screen(Profile(conditions=("myasthenia gravis",), medications=("pyridostigmine",)),
                  SAFETY)
    for rules in (alone, both):
        assert sum(r.startswith("myasthenia gravis:") for r in rules.referrals) == 1
        assert any("a treatment for myasthenia gravis" in r for r in rules.referrals)
    assert _group("pyridostigmine").kind == "refer"


def test_an_unknown_name_is_still_an_error_without_allow_unknown(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('medications = ["roxithromycin 150 mg"]\n')
    with pytest.raises(InputError, match="unknown medicine 'roxithromycin 150 mg': it is not"):
        load_profile(path, safety=SAFETY)


# Finding 12: a prescription line with a course length ------------------------------------------

@pytest.mark.parametrize("line", [
    "ciprofloxacin 500 mg twice daily for 7 days", "cipro 500 mg bd x 7 days",
    "ciprofloxacin 500mg BD for 5/7", "ciprofloxacin 500 mg 7-day course",
    "ciprofloxacin 500 mg twice a day until 12/03/2026", "Cipro 500 mg x7d",
    "ciprofloxacin 500 mg three times a day for a week"])
def test_a_course_length_is_no_part_of_the_name(tmp_path, line):
    """/tmp/hC/p4a.toml exited 2: the course could not be recorded."""
    profile, said = _loaded(tmp_path, f'medications = ["{line}", "digoxin 125 mcg"]\n')
    assert not said and profile.medications == (line, "digoxin 125 mcg")
    rules = screen(profile, SAFETY)
    assert any(w.startswith(line) and "2 h before or 6 h after" in w for w in rules.dose_rules)
    assert not rules.unchecked and rules.medicine_hold


# Findings 5, 6, 11: the texts of the rules -----------------------------------------------------

def test_the_pregnancy_reason_says_which_limit_and_why():
    reason, source = _rule("pregnancy").reason, _rule("pregnancy").source
    assert "trimester" not in reason
    assert "250 mg" in reason and "pregnancy included" in reason and "350 mg" in reason
    assert "not oral magnesium" in reason
    for cited in ("EFSA 2015", "UK Epsom-salt SmPC", "FDA 2013", "SCF 2001", "IOM 1997"):
        assert cited in source


def test_the_moderate_kidney_caution_asks_for_a_baseline_and_a_safety_net():
    caution = _rule("moderate_renal_impairment")
    assert "serum magnesium every 3-6 months" in caution.reason
    assert "before a dose is raised" in caution.reason and "0.75-0.95 mmol/L" in caution.reason
    for sign in ("nausea", "flushing", "drowsiness", "muscle weakness", "slow heartbeat"):
        assert sign in caution.reason
    assert "magnesium sulfate injection SmPC" in caution.source


def test_the_myasthenia_referral_says_when_to_seek_urgent_care():
    rules = screen(Profile(conditions=("myasthenia gravis",)), SAFETY)
    assert "seek urgent care for weakness that gets worse, or trouble swallowing or breathing" \
        in rules.referrals[0]
    assert "NHS" in _rule("myasthenia_gravis").source


def test_the_severe_kidney_reason_no_longer_tells_the_clinician_how_to_write_a_profile(priors):
    assert "name the stage" not in _rule("severe_renal_impairment").reason
    rec = decide(FakePosterior(n_draws=200), priors=priors, profile=Profile(egfr=25),
                 diary=ON_GLYCINATE, as_of=AS_OF).recommendation
    assert rec.action == "refer"
    assert any("kidney disease (an eGFR" in r for r in rec.reasons), rec.reasons
    assert not any("name the stage" in r or "CKD stage 3'" in r for r in rec.reasons)


@pytest.mark.parametrize(("condition", "warned"), [
    ("CKD", True), ("kidney disease", True), ("kidney transplant", True),
    ("CKD stage 4", False), ("dialysis", False), ("acute kidney injury", False),
    ("CKD stage 3", False)])
def test_kidney_disease_named_without_its_stage_is_said_to_the_profile_writer(
        tmp_path, condition, warned):
    profile, said = _loaded(tmp_path, f'conditions = ["{condition}"]\negfr = 48\n')
    told = [m for m in said if "without its stage" in m]
    assert bool(told) == warned, said
    if warned:
        assert "name it instead (e.g. 'CKD stage 3')" in told[0]
        assert screen(profile, SAFETY).referrals    # it still refers, beside the eGFR
