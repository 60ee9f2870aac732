"""Adding a magnesium form: one list (FORMS), its prior file, and nothing that fails late.

An outside audit (a pharmacist-developer added magnesium orotate end to end and removed it):
the report crashed after the fit on a ninth form (eight colours), a form without a default
compound passed `mgsleep priors` and the clinician page dropped its sentence in silence, the
crossover's tie order and its words were written by hand, the independent simulated world
took a new form for a gentle one that never helps, and tests counted eight forms.
"""

import tomllib

import numpy as np
import pytest

from model.core.errors import PriorsError
from model.core.forms import FORMS
from model.core.paths import default_priors_dir
from model.core.regimen import Regimen
from model.decision.explain import tie_order_words
from model.evidence.priorset import load_priors
from model.simulate import world
from model.viz.canvas import FORM_COLOURS, PALETTE, form_colours

FIRST_EIGHT = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
               "#1f78b4")
"""The colours of the eight forms before the audit: a figure's reader knows them."""


@pytest.mark.parametrize("n", [1, 8, 9, len(PALETTE), 3 * len(PALETTE) + 1])
def test_any_number_of_forms_has_colours_the_first_eight_unchanged(n):
    forms = [f"form{i}" for i in range(n)]
    colours = form_colours(forms)
    assert list(colours) == forms
    assert tuple(colours.values())[:8] == FIRST_EIGHT[:n]
    first = list(colours.values())[:len(PALETTE)]
    assert len(set(first)) == len(first)           # distinct as far as the palette goes
    assert FORM_COLOURS == form_colours(FORMS)


def _without_default(priors_copy, form):
    path = priors_copy / "elemental_fractions.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = [line.split(",") for line in lines]
    column = rows[0].index("default_for_form")
    for row in rows[1:]:
        if len(row) > column and row[column] == form:
            row[column] = ""
    path.write_text("".join(",".join(row) for row in rows), encoding="utf-8")
    return path


def test_loading_the_priors_refuses_a_form_without_a_default_compound(priors_copy):
    """Before, `mgsleep priors` and an analysis in elemental mg passed; the first compound_mg
    night failed, and the clinician page left the form's compound out without a word."""
    path = _without_default(priors_copy, "lactate")
    with pytest.raises(PriorsError) as caught:
        load_priors(priors_copy)
    said = str(caught.value)
    assert f"{path}: column default_for_form: no default compound for form(s) lactate" in said


def test_the_crossover_tie_order_is_that_of_forms_and_said_from_it():
    """The words listed glycinate, taurate, threonate by hand: a form added to FORMS was tried
    in its place there while the words said otherwise."""
    words = tie_order_words()
    places = [words.index(form) for form in FORMS]
    assert places == sorted(places)


def test_forms_lists_the_gentler_group_before_the_others():
    """FORMS's order is the tie order, gentler on the gut first: the group of groups.toml
    whose GI prior a sensitive gut shifts least comes first, then the forms of the others."""
    groups = tomllib.loads((default_priors_dir() / "groups.toml").read_text())["groups"]
    gentle = min(groups, key=lambda g: g["gut_sensitivity_factor"])
    assert list(FORMS[:len(gentle["forms"])]) == sorted(gentle["forms"], key=FORMS.index)


def test_the_simulated_world_states_its_own_facts_of_every_form():
    assert set(world.WORLD_FORMS) == set(FORMS), (
        "model/simulate/world.py: WORLD_FORMS states the world's own facts of every form of "
        "FORMS (model/core/forms.py), and of no other")


def test_the_simulated_world_refuses_a_form_it_does_not_describe(monkeypatch):
    """A new form was silently gentle and never helped anyone in the benchmarks' world."""
    monkeypatch.delitem(world.WORLD_FORMS, "chloride")      # as a form added to FORMS only
    with pytest.raises(ValueError, match=r"model/simulate/world\.py: WORLD_FORMS states no "
                                         r"facts of form 'chloride' \(FORMS in model/core"):
        world.draw_world_person(np.random.default_rng(0))
    with pytest.raises(ValueError, match="WORLD_FORMS states no facts of form 'chloride'"):
        world.WorldPerson().gi_probability(Regimen("chloride", 300.0))


def test_an_unknown_form_in_the_priors_says_where_the_forms_are_listed(priors_copy):
    """The faults named the file, never that the forms live in FORMS of model/core/forms.py
    (the audit's example was orotate; sucrosomial is a form no one is about to add)."""
    path = priors_copy / "forms" / "sucrosomial.toml"
    path.write_text('form = "sucrosomial"\nevidence_level = "none"\n', encoding="utf-8")
    fractions = priors_copy / "elemental_fractions.csv"
    fractions.write_text(fractions.read_text(encoding="utf-8").replace(
        "Magnesium pidolate,Mg(C5H6NO3)2,280.52,8.66,,",
        "Magnesium pidolate,Mg(C5H6NO3)2,280.52,8.66,sucrosomial,"), encoding="utf-8")
    with pytest.raises(PriorsError) as caught:
        load_priors(priors_copy)
    faults = str(caught.value).splitlines()
    for where in (f"{path}: unknown form 'sucrosomial'",
                  f"{fractions}: line 27, column default_for_form: unknown form 'sucrosomial'"):
        said = [f for f in faults if where in f]
        assert said and "listed in FORMS in model/core/forms.py" in said[0], (where, faults)


def _with_a_ninth_form(monkeypatch):
    """FORMS with an extra form, wherever the streams and the simulations read it."""
    import model.core.forms
    import model.simulate.personas
    import model.testing
    more = (*FORMS, "ninth")
    for module in (model.core.forms, model.simulate.personas, model.testing):
        monkeypatch.setattr(module, "FORMS", more)


def test_a_form_added_leaves_the_fake_posteriors_draws_of_the_others(monkeypatch):
    """FakePosterior drew every form's numbers in one stream of len(FORMS) rows: a ninth form
    moved the GI harm, baseline and expectation draws of every test's known answers."""
    from model.testing import FakePosterior
    before = FakePosterior(n_draws=50, seed=3)._z
    _with_a_ninth_form(monkeypatch)
    after = FakePosterior(n_draws=50, seed=3)._z
    for name, draws in before.items():
        np.testing.assert_array_equal(after[name][:len(draws)], draws, err_msg=name)
    assert len(after["form"]) == len(after["harm"]) == len(FORMS) + 1


def test_a_form_added_leaves_the_simulated_persons_of_the_others(monkeypatch, priors):
    """A person drawn from the priors (and a simulated population) kept its draws in one
    stream of len(FORMS) x outcomes: a ninth form changed every later number."""
    import dataclasses

    from model.likelihood.prior import PersonalPrior
    from model.simulate import personas
    before = personas.persona_from_priors(priors, np.random.default_rng(7))
    real = PersonalPrior.of(priors)
    ninth = dataclasses.replace(real, mean=np.vstack([real.mean, real.mean[:1]]),
                                sd=np.vstack([real.sd, real.sd[:1]]))
    _with_a_ninth_form(monkeypatch)
    monkeypatch.setattr(personas.PersonalPrior, "of", staticmethod(lambda _: ninth))
    after = personas.persona_from_priors(priors, np.random.default_rng(7))
    assert {f: after.effects[f] for f in FORMS} == before.effects
    assert "ninth" in after.effects
    assert dataclasses.replace(after, effects=before.effects) == before


def test_a_form_added_leaves_a_simulated_populations_other_forms(monkeypatch, priors):
    """The population's effects and each person's were drawn in streams of len(FORMS) rows,
    and the forms each person tries by a choice among len(FORMS)."""
    import dataclasses

    from model.likelihood.prior import PersonalPrior
    from model.simulate import personas
    _, before = personas.simulate_population(priors, 3, 20, seed=5)
    real = PersonalPrior.of(priors)
    ninth = dataclasses.replace(real, mean=np.vstack([real.mean, real.mean[:1]]),
                                sd=np.vstack([real.sd, real.sd[:1]]))
    _with_a_ninth_form(monkeypatch)
    monkeypatch.setattr(personas.PersonalPrior, "of", staticmethod(lambda _: ninth))
    monkeypatch.setattr(personas, "_crossover", lambda *forms: forms)    # no diaries of
    monkeypatch.setattr(personas, "simulate_diary", lambda *a, **k: None)  # a fake form
    _, after = personas.simulate_population(priors, 3, 20, seed=5)
    np.testing.assert_array_equal(after.beta[:len(FORMS)], before.beta)
    for old, new in zip(before.personas, after.personas, strict=True):
        assert {f: new.effects[f] for f in FORMS} == old.effects and new.tau == old.tau
