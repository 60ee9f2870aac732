"""The clinical pharmacist's review of ``priors/safety.toml`` (items 1-6).

Each test fails on the safety data before the review: a medicine or condition refused as
unknown (or NOT CHECKED and dosed), a timing looser than its label, a named CKD stage read as
another, a reason that quoted an SmPC about injected magnesium as if it were about tablets.
No MCMC: the hard rules are screened directly, or decided with a fake posterior.
"""

import contextlib
import datetime as dt
from collections import defaultdict

import pytest

from model.core.errors import PriorsError
from model.core.regimen import Regimen
from model.data.profile import Profile, ProfileWarning, load_profile
from model.decision import History, decide, screen
from model.evidence.names import name_key
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
ON_GLYCINATE = History(Regimen("glycinate", 200.0, False), 30, frozenset({"glycinate"}), 0)


def _screen(priors, tmp_path, key: str, name: str):
    """Screen a profile file naming one condition or medicine (unknown names raise)."""
    path = tmp_path / "p.toml"
    path.write_text(f'{key} = ["{name}"]\n')
    return screen(load_profile(path, safety=priors.safety), priors.safety)


# --- items 1-3: interactions and their label timings ------------------------------------------
@pytest.mark.parametrize(("medicine", "rule"), [
    ("dolutegravir", "at least 4 h before or 6 h after"), ("Tivicay", "4 h before or 6 h after"),
    ("Biktarvy", "4 h before or 6 h after"), ("Vocabria", "4 h before or 6 h after"),
    ("elvitegravir", "4 h before or 6 h after"), ("Genvoya", "4 h before or 6 h after"),
    ("Juluca", "4 h before or 6 h after"),
    ("spironolactone", "reduce magnesium excretion"), ("amiloride", "serum magnesium"),
    ("eplerenone", "reduce magnesium excretion"), ("triamterene", "reduce magnesium excretion"),
    ("gentamicin", "neuromuscular blockade"), ("tobramycin", "neuromuscular blockade"),
    ("amikacin", "neuromuscular blockade"), ("streptomycin", "neuromuscular blockade"),
    ("neomycin", "neuromuscular blockade"), ("rocuronium", "neuromuscular blockade"),
    ("succinylcholine", "neuromuscular blockade"), ("zinc", "reduce magnesium absorption"),
    ("zinc gluconate 50 mg", "reduce magnesium absorption"),
    ("moxifloxacin", "at least 4 h before or 8 h after"), ("Avelox", "4 h before or 8 h after"),
    ("levofloxacin", "at least 2 h before or 2 h after"), ("ofloxacin", "2 h before or 2 h after"),
    ("ciprofloxacin", "2 h before or 6 h after"), ("eltrombopag", "2 h before or 4 h after"),
    ("Promacta", "2 h before or 4 h after")])
def test_reviewed_medicines_carry_their_label_rule(priors, tmp_path, medicine, rule):
    warnings = _screen(priors, tmp_path, "medications", medicine).warnings
    assert any(rule in w for w in warnings), warnings


@pytest.mark.parametrize(("medicine", "looser"), [
    ("moxifloxacin", "2 h before or 6 h after"), ("eltrombopag", "3-4 h")])
def test_a_split_medicine_keeps_only_its_own_rule(priors, tmp_path, medicine, looser):
    """Moxifloxacin's 4 h / 8 h and eltrombopag's 2 h / 4 h, not their old groups' rules."""
    warnings = _screen(priors, tmp_path, "medications", medicine).warnings
    assert len(warnings) == 1 and looser not in warnings[0], warnings


def test_tobramycin_is_known_not_a_misspelt_vibramycin(priors, tmp_path):
    warnings = _screen(priors, tmp_path, "medications", "tobramycin").warnings
    assert "vibramycin" not in " ".join(warnings) and "NOT CHECKED" not in " ".join(warnings)


def test_notes_that_do_not_lower_magnesium_do_not_say_so(priors, tmp_path):
    """Potassium-sparing diuretics keep magnesium in: never "can lower magnesium"."""
    for medicine in ("spironolactone", "gentamicin"):
        warnings = _screen(priors, tmp_path, "medications", medicine).warnings
        assert not any("can lower magnesium" in w for w in warnings), warnings


@pytest.mark.parametrize("medicine", ["raltegravir", "Isentress"])
def test_raltegravir_sends_to_the_clinician_before_magnesium(priors, medicine):
    # not a hold ("keep taking glycinate@200 as you do now", digoxin's wording): magnesium
    # lowers raltegravir at any interval, so taking it is stopped, as for a contraindication
    profile = Profile(medications=(medicine,))
    rules = screen(profile, priors.safety)
    assert not rules.holds and any(
        r.lower().startswith(f"{medicine.lower()}: aluminium/magnesium antacids")
        for r in rules.referrals)
    assert not any("raltegravir" in w for w in rules.warnings)      # said once, as the reason
    rec = decide(FakePosterior(n_draws=200), priors=priors, profile=profile,
                 diary=ON_GLYCINATE, as_of=AS_OF).recommendation
    assert rec.action == "refer" and rec.reason_codes == ("refer", "refer_stop")
    assert rec.regimen is None and rec.reasons[0].startswith("Stop taking magnesium now")


# --- item 4: CKD stages mean what they say -----------------------------------------------------
@pytest.mark.parametrize("stage", ["CKD stage 3", "CKD stage 3a", "CKD stage 3b", "CKD G3a",
                                   "stage 3b CKD", "chronic kidney disease stage 3"])
def test_ckd_stage_3_is_the_moderate_caution_not_a_referral(priors, tmp_path, stage):
    rules = _screen(priors, tmp_path, "conditions", stage)
    assert not rules.referrals
    assert any("serum magnesium every 3-6 months" in w for w in rules.warnings), rules.warnings


@pytest.mark.parametrize("stage", ["CKD stage 1", "CKD stage 2", "CKD G2", "stage 2 CKD"])
def test_ckd_stages_1_and_2_are_recognised_without_a_rule(priors, tmp_path, stage):
    rules = _screen(priors, tmp_path, "conditions", stage)
    assert not rules.referrals and not rules.warnings


@pytest.mark.parametrize("name", ["CKD stage 4", "CKD stage 5", "CKD G5", "CKD stage 5D",
                                  "dialysis", "ESRD", "CKD", "kidney disease"])
def test_ckd_stages_4_5_and_unstaged_kidney_disease_refer(priors, tmp_path, name):
    # a GP's audit: naming the stage is said to the person writing the profile (a warning),
    # no longer in the referral's reason, which the clinician summary quotes
    unstaged = name in ("CKD", "kidney disease")
    with pytest.warns(ProfileWarning, match="without its stage") if unstaged \
            else contextlib.nullcontext():
        assert _screen(priors, tmp_path, "conditions", name).referrals


def test_a_named_stage_3_with_an_egfr_below_30_refers_once(priors):
    rules = screen(Profile(conditions=("CKD stage 3",), egfr=25), priors.safety)
    assert len(rules.referrals) == 1 and not any("3-6 months" in w for w in rules.warnings)


def test_the_floor_keeps_stage_3_from_being_declared_harmless(priors_copy):
    path = priors_copy / "safety.toml"
    text = path.read_text()
    path.write_text(text.replace('"ckd stage 3", ', "", 1).replace(
        'conditions = ["insomnia",', 'conditions = ["ckd stage 3", "insomnia",', 1))
    with pytest.raises(PriorsError, match=r"ckd_stage_3.*loosens the safety floor|loosens the "
                       r"safety floor.*ckd stage 3"):
        load_priors(priors_copy)


# --- items 5-6: heart block's words, conditions a clinician expects to be known ------------------
def test_the_heart_block_reason_says_the_smpc_is_about_injected_magnesium(priors):
    reason = screen(Profile(conditions=("heart block",)), priors.safety).referrals[0]
    assert "parenteral (injected) magnesium" in reason and "oral magnesium" in reason


@pytest.mark.parametrize("name", ["sick sinus syndrome", "sinus node dysfunction",
                                  "Lambert-Eaton syndrome", "LEMS"])
def test_conduction_and_neuromuscular_disorders_refer(priors, tmp_path, name):
    assert _screen(priors, tmp_path, "conditions", name).referrals


@pytest.mark.parametrize(("name", "said"), [
    ("bradycardia", "slow heart rate"), ("Crohn's disease", "osmotic magnesium salts"),
    ("ulcerative colitis", "osmotic magnesium salts"), ("IBD", "osmotic magnesium salts"),
    ("chronic diarrhoea", "osmotic magnesium salts")])
def test_cautions_warn_without_referring(priors, tmp_path, name, said):
    gut = said == "osmotic magnesium salts"   # and the GI prior expects a sensitive gut
    with pytest.warns(ProfileWarning, match="gut_sensitivity 'ibs' is used") if gut else \
            contextlib.nullcontext():
        rules = _screen(priors, tmp_path, "conditions", name)
    assert not rules.referrals and any(said in w for w in rules.warnings), rules.warnings


@pytest.mark.parametrize("name", ["breastfeeding", "breast-feeding", "lactation"])
def test_breastfeeding_holds_as_pregnancy_does(priors, tmp_path, name):
    """It was recognised with no rule (300 mg advised); each UL cited covers lactation."""
    rules = _screen(priors, tmp_path, "conditions", name)
    assert not rules.referrals and rules.holds and rules.ceiling_mg == 250


# --- house rules: every entry sourced, every name standing for one thing -----------------------
def test_every_safety_entry_names_a_source(priors):
    safety = priors.safety
    entries = (*safety.contraindications, *safety.cautions, *safety.interactions,
               *safety.synonyms)
    assert all(e.source.strip() for e in entries) and safety.recognised.source.strip()


def test_every_name_stands_for_one_rule_and_every_medicine_is_in_one_group(priors):
    safety = priors.safety
    meant: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rule in (*safety.contraindications, *safety.cautions):
        if rule.condition:
            meant["condition", name_key(rule.condition)].add(rule.condition)
    for name in safety.recognised.conditions:
        meant["condition", name_key(name)].add(name)
    for entry in safety.synonyms:
        for alias in (entry.name, *entry.aliases):
            meant[entry.kind, name_key(alias)].add(entry.name)
    assert not {key: names for key, names in meant.items() if len(names) > 1}
    medicines = [m for group in safety.interactions for m in group.medications]
    assert len(medicines) == len(set(medicines))
