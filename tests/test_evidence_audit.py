"""An outside evidence audit of the priors: the discount at every dose, borrowed priors that
widened with better evidence, a double downgrade, the anxiety MCID, the class anxiety evidence
and the molar masses of ``elemental_fractions.csv``."""

import math
from itertools import pairwise
from pathlib import Path

import pytest

from model.core.errors import PriorsError
from model.core.forms import elemental_fractions, load_compounds
from model.evidence.priorset import load_priors
from model.evidence.schema import CERTAINTIES, EXPERT_KINDS
from model.evidence.synthesis import dose_factor, synthesize

QUARTER_SMD = 0.25


def _add_claim(root: Path, form: str, outcome: str, effect: float, dose: str) -> None:
    """A marketing claim, very low, as precise as a claim can say (se 0.01), before the
    form file's first table."""
    claim = f'''
[[studies]]
id = "AUDIT_LOW_DOSE_CLAIM"
outcome = "{outcome}"
kind = "marketing"
citation = "an extreme claim at a stated dose (evidence audit)"
source = "test"
design = "claim"
certainty = "very low"
measure = "{'log_odds_ratio' if outcome == 'gi' else 'smd_benefit'}"
effect = {effect}
se = 0.01
{dose}
derivation = "test"
'''
    path = root / "forms" / f"{form}.toml"
    text = path.read_text()
    path.write_text(text.replace("\n[[", claim + "\n[[", 1))


@pytest.mark.parametrize("dose_mg", [10, 72, 300, 600])
@pytest.mark.parametrize(("form", "outcome"), [("malate", "sol"), ("lactate", "anxiety"),
                                               ("oxide", "gi")])
def test_a_very_low_claim_at_the_bound_moves_a_prior_by_under_a_quarter_smd_at_any_dose(
        priors_copy, form, outcome, dose_mg):
    """The audit: a very-low claim at the plausibility bound, stated at 10 mg, was scaled x10.7
    to the reference dose while its grade's doubt floor was not, and moved malate's sleep-onset
    prior by 1.24 SMD (lactate's anxiety prior by 0.71 SMD). Its doubt now scales with it."""
    base = load_priors(priors_copy)
    smd_sd = base.settings.outcomes[outcome].smd_sd
    bound = base.settings.max_abs_smd * 0.999
    effect = -bound * smd_sd if outcome == "gi" else bound      # the benefit direction
    dose = (f"single_dose_mg = {dose_mg}" if outcome == "gi" else f"dose_mg = {dose_mg}")
    _add_claim(priors_copy, form, outcome, effect, dose)
    moved = load_priors(priors_copy)
    assert any(c.study_id == "AUDIT_LOW_DOSE_CLAIM"
               for c in moved.syntheses[form, outcome].contributions)
    shift = abs(moved[form, outcome].mean - base[form, outcome].mean) / smd_sd
    assert 0 < shift < QUARTER_SMD, (form, outcome, dose_mg, shift)


def test_the_doubt_floor_scales_with_a_dose_factor_above_one_only(priors):
    """README's formula: variance / power + (floor_smd x SD x max(1, dose factor))^2."""
    seen = set()
    for syn in priors.syntheses.values():
        for part in syn.contributions:
            study = next(s for s in _all_studies(priors) if s.id == part.study_id)
            smd_sd = priors.settings.outcomes[syn.outcome].smd_sd
            grade = priors.settings.certainty[part.certainty]
            k = dose_factor(study, syn.outcome, priors.settings)
            expected = math.sqrt(part.raw_se**2 / grade.power
                                 + (grade.floor_smd * smd_sd * max(1.0, k)) ** 2)
            assert part.sd == pytest.approx(expected), part.study_id
            seen.add(k > 1.01)
    assert seen == {True, False}        # threonate's 72 mg and NIELSEN2010's 320 mg both seen


def _all_studies(priors):
    evidence = priors.evidence
    return [*evidence.class_file.studies,
            *(s for f in evidence.form_files.values() for s in f.studies),
            *(s for g in evidence.groups.groups for s in g.studies)]


def _sds(evidence, class_file, form_files, groups, weight=1.0):
    return {key: syn.prior.sd for key, syn in synthesize(
        evidence.settings, class_file, form_files, weight, groups).items()}


def _regraded(evidence, where, index, grade):
    """The class file, form files and groups with one entry's grade changed."""
    def swap(studies):
        studies = list(studies)
        studies[index] = studies[index].model_copy(update={"certainty": grade})
        return tuple(studies)
    class_file, form_files, groups = evidence.class_file, dict(evidence.form_files), \
        evidence.groups
    if where == "class":
        class_file = class_file.model_copy(update={"studies": swap(class_file.studies)})
    elif where in form_files:
        form_files[where] = form_files[where].model_copy(
            update={"studies": swap(form_files[where].studies)})
    else:
        listed = [g.model_copy(update={"studies": swap(g.studies)}) if g.name == where else g
                  for g in groups.groups]
        groups = groups.model_copy(update={"groups": tuple(listed)})
    return class_file, form_files, groups


def _entries(evidence):
    yield from (("class", i, s) for i, s in enumerate(evidence.class_file.studies))
    for form, file in evidence.form_files.items():
        yield from ((form, i, s) for i, s in enumerate(file.studies))
    for group in evidence.groups.groups:
        yield from ((group.name, i, s) for i, s in enumerate(group.studies))


def test_a_better_grade_of_any_entry_never_widens_any_prior(priors):
    """The audit: with MAH2021 graded low -> moderate -> high, malate's and taurate's
    sleep-onset priors widened (0.417 -> 0.438), and malate's anxiety sd went 0.999 -> 2.07
    with MOABEDI2023 very low -> high: a form's deviation was a factor times the class mean,
    which better evidence moves from zero. Every entry, every grade it may take."""
    evidence = priors.evidence
    widened = []
    swept = 0
    for where, index, study in _entries(evidence):
        if study.kind == "population":
            continue
        grades = ("very low", "low") if study.kind in EXPERT_KINDS else CERTAINTIES[::-1]
        before = None
        for grade in grades:
            sds = _sds(evidence, *_regraded(evidence, where, index, grade))
            if before is not None:
                widened += [(study.id, grade, key, before[key], sd)
                            for key, sd in sds.items() if sd > before[key] + 1e-12]
            before = sds
        swept += 1
    assert swept >= 25
    assert not widened, widened[:5]


def test_counting_every_grade_more_never_widens_any_prior(priors):
    """The audit: ``with_certainty_weight(2)`` widened malate's and taurate's sleep onset."""
    weights = (0.5, 1.0, 2.0, 4.0)
    sds = [priors.with_certainty_weight(w).sds() for w in weights]
    for wider, narrower in pairwise(sds):
        assert bool((narrower <= wider + 1e-12).all())
    assert float(sds[-1].sel(form="malate", outcome="sol")) < float(
        sds[0].sel(form="malate", outcome="sol"))


def test_the_form_deviation_is_fixed_before_the_evidence(priors):
    """Brief 9.4's 0.5 / 1 / 1.5 x |class effect| on a fixed scale: the factor times the
    outcome's reference SD, at least its deviation_min_sd; no form's borrowed sleep-onset prior
    moved by more than 0.03 from what it was (malate 0.417 -> 0.388)."""
    settings = priors.settings
    for (form, outcome), syn in priors.syntheses.items():
        level = priors.evidence.form_files[form].evidence_level
        spec = settings.outcomes[outcome]
        assert syn.deviation_sd == pytest.approx(max(
            getattr(settings.form_deviation, level) * spec.reference_sd, spec.deviation_min_sd))
    assert priors["malate", "sol"].sd == pytest.approx(0.417, abs=0.03)
    assert priors["oxide", "sol"].sd == pytest.approx(0.271, abs=0.01)


def test_dickinson_counts_at_the_addendum_grade_not_one_lower(priors):
    """Addendum 2026-11 section 1: "moderate (randomised, consistent; indirect population)":
    the indirectness is in that grade; an ``indirectness`` note lowered it again, to low."""
    part = next(c for c in priors.syntheses["oxide", "gi"].class_contributions
                if c.study_id == "DICKINSON2006")
    assert part.certainty == "moderate"
    study = next(s for s in priors.evidence.class_file.studies if s.id == "DICKINSON2006")
    assert study.indirectness is None and "indirect population" in study.derivation


def test_the_anxiety_mcid_is_four_gad7_points_at_the_sd_the_anxiety_entries_assume(priors):
    """Brief section 8: GAD-7 MCID 4 points; addendum section 3 (and TARLETON2017): GAD-7 SD 5,
    so 0.8 SMD; x the rating's SD of ~2 points on 0-10 = 1.6 (it was 1.0: an SD of 8)."""
    gad7_mcid, gad7_sd, rating_sd = 4.0, 5.0, 2.0
    assert priors.settings.outcomes["anxiety"].mcid == pytest.approx(
        gad7_mcid / gad7_sd * rating_sd)


def test_breus2024_is_class_evidence_on_anxiety(priors):
    """Addendum section 3: a trial whose form is not stated is evidence about magnesium in
    general; it was excluded under threonate, and the class anxiety prior rested on a
    depression meta-analysis alone."""
    syn = priors.syntheses["citrate", "anxiety"]
    parts = {c.study_id: c for c in syn.class_contributions}
    assert set(parts) >= {"MOABEDI2023", "BREUS2024"}
    breus = parts["BREUS2024"]
    assert breus.certainty == "very low" and breus.raw == 0.0
    study = next(s for s in priors.evidence.class_file.studies if s.id == "BREUS2024")
    assert study.n == 31 and "crossover" in study.design
    assert study.se == pytest.approx(math.sqrt(2 / 31), abs=1e-3)
    assert all(e.id != "BREUS2024" for e in priors.evidence.form_files["threonate"].excluded)


# --- elemental_fractions.csv: molar mass and percent against the formula -----------------------
TAURATE = "Magnesium taurate,Mg(C2H6NO3S)2,272.57,8.92,"


def test_every_bundled_compound_loads_and_matches_its_formula():
    compounds = load_compounds()
    assert len(compounds) == 26
    for compound in compounds:
        assert compound.molar_mass > 0 and 0 < compound.elemental_fraction < 1
    hydrates = [c for c in compounds if "·" in c.formula]
    assert len(hydrates) == 8        # MgCl2·6H2O ... read with their water


@pytest.mark.parametrize(("edit", "said"), [
    # the audit's row: 300 g/mol with its own 8.10 %, the label dose read 9 % low
    ((TAURATE, "Magnesium taurate,Mg(C2H6NO3S)2,300.0,8.10,"),
     "line 13, column molar_mass_g_per_mol: 300 g/mol differs from the formula "
     "'Mg(C2H6NO3S)2': 272.57 g/mol"),
    # 0.5 percentage points off at a correct molar mass (within the old 1 % of the percent)
    (("Magnesium oxide,MgO,40.3,60.3,", "Magnesium oxide,MgO,40.3,60.8,"),
     "line 2, column elemental_mg_percent: 60.8 % does not match the formula 'MgO' and the "
     "molar mass 40.3 g/mol (60.31 %)"),
    # a label's figure may be heavier than the formula, never lighter
    ((",337.6,7.2,", ",280.0,8.68,"),
     "line 15, column molar_mass_g_per_mol: 280 g/mol differs from the formula "
     "'Mg(C4H7O5)2 as labelled': 294.50 g/mol"),
    ((TAURATE, "Magnesium taurate,Mg(C2H6NO3Se)2,272.57,8.92,"),
     "line 13, column formula: 'Mg(C2H6NO3Se)2': unknown element 'Se'"),
    ((TAURATE, "Magnesium taurate,Mg(C2H6NO3S2,272.57,8.92,"),
     "line 13, column formula: 'Mg(C2H6NO3S2': an unclosed bracket"),
])
def test_a_molar_mass_or_percent_off_its_formula_is_refused(priors_copy, edit, said):
    path = priors_copy / "elemental_fractions.csv"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(*edit), encoding="utf-8")
    with pytest.raises(PriorsError) as caught:
        elemental_fractions(priors_copy)
    assert str(path) in str(caught.value) and said in str(caught.value)
