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
    assert set(world.WORLD_FORMS) == set(FORMS)


def test_the_simulated_world_refuses_a_form_it_does_not_describe(monkeypatch):
    """A new form was silently gentle and never helped anyone in the benchmarks' world."""
    monkeypatch.delitem(world.WORLD_FORMS, "chloride")      # as a form added to FORMS only
    with pytest.raises(ValueError, match=r"model/simulate/world\.py: WORLD_FORMS states no "
                                         r"facts of form 'chloride' \(FORMS in model/core"):
        world.draw_world_person(np.random.default_rng(0))
    with pytest.raises(ValueError, match="WORLD_FORMS states no facts of form 'chloride'"):
        world.WorldPerson().gi_probability(Regimen("chloride", 300.0))


def test_an_unknown_form_in_the_priors_says_where_the_forms_are_listed(priors_copy):
    """The fault named the file, never that the forms live in FORMS of model/core/forms.py."""
    path = priors_copy / "forms" / "orotate.toml"
    path.write_text('form = "orotate"\nevidence_level = "none"\n', encoding="utf-8")
    with pytest.raises(PriorsError) as caught:
        load_priors(priors_copy)
    said = str(caught.value)
    assert str(path) in said and "unknown form 'orotate'" in said
    assert "listed in FORMS in model/core/forms.py" in said
