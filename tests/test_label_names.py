"""Magnesium products and forms by the names on their labels (a supplement-label reader's audit).

F1: ``medications = ["ZMA 450 mg"]`` with ``--allow-unknown`` was counted as 0 mg and a raise
to glycinate 350 mg advised on top of it (800 mg a day); refused, it was not said to be
magnesium, though the diary's reader knew ZMA is magnesium aspartate. F3: the diary's own
supplement named in the profile by its label's weight ("magnesium glycinate 2000 mg", the
diary's ``compound_mg`` 2000) was counted again: "Stop taking magnesium now". F5: "chelate"
was "did you mean 'threonate'?", "Magnesium Bisglycinate Chelate" refused, "buffered
glycinate" "did you mean 'diglycinate'?"; "milk of magnesia", "Magnesium complex",
"sucrosomial" had no word. F7: an Epsom salt form cell was sent to other_magnesium_mg, and
the profile's baths and sprays were never said. F8: entries copied from a label were refused.
"""

from __future__ import annotations

import itertools

import pytest

from model.core.errors import InputError
from model.core.forms import ALIASES, FORMS, canonical_form, compound_to_elemental, form_hint
from model.core.regimen import Regimen
from model.data import form_cells
from model.data.form_cells import unknown_form
from model.data.profile import Profile, load_profile
from model.decision import screen
from model.decision.other_magnesium import on_skin, other_magnesium, skin_note
from model.evidence import name_hints
from model.evidence.name_hints import names_magnesium


def _profile(tmp_path, *entries: str) -> str:
    path = tmp_path / "profile.toml"
    listed = ", ".join(f'"{e}"' for e in entries)
    path.write_text(f"age = 45\negfr = 90\nmedications = [{listed}]\n", encoding="utf-8")
    return str(path)


# F1 ------------------------------------------------------------------------------------------

def test_zma_in_the_profile_is_refused_as_a_magnesium_product(tmp_path):
    with pytest.raises(InputError) as caught:
        load_profile(_profile(tmp_path, "ZMA 450 mg"))
    said = str(caught.value)
    assert "ZMA is a magnesium product (zinc, magnesium aspartate and vitamin B6)" in said
    assert "other_magnesium_mg" in said


def test_zma_accepted_unknown_holds_until_its_magnesium_is_given(tmp_path, priors):
    with pytest.warns(UserWarning):
        profile = load_profile(_profile(tmp_path, "ZMA 450 mg"), allow_unknown=True)
    rules = screen(profile, priors.safety, Regimen("glycinate", 300))
    assert any("your other magnesium (ZMA 450 mg)" in hold and "other_magnesium_mg" in hold
               for hold in rules.holds)
    given = screen(profile.model_copy(update={"other_magnesium_mg": 150.0}), priors.safety,
                   Regimen("glycinate", 300))
    assert not given.holds and given.ceiling_mg == 200     # counted, once given


@pytest.mark.parametrize(("name", "magnesium"), [
    ("ZMA", True), ("zma 450 mg", True), ("Mag 365", True), ("bisglycinate 200 mg", True),
    ("orotate 500 mg", True), ("L-aspartate 300 mg", True), ("Magtein", True),
    # a salt after another name is that one's: not held as magnesium
    ("iron bisglycinate", False), ("tamoxifen citrate", False), ("potassium chloride", False),
    ("magnolia bark", False), ("digoxin", False)])
def test_a_name_may_be_magnesium_as_the_diary_reads_it(name, magnesium):
    assert names_magnesium(name) is magnesium


def test_one_list_of_products_for_the_diary_and_the_profile(monkeypatch):
    """A product added to the forms' list is read so by both the diary and the profile."""
    assert not names_magnesium("Sleepmag-free 300 mg")
    monkeypatch.setitem(__import__("model.core.forms", fromlist=["PRODUCTS"]).PRODUCTS,
                        "novamg", ("NovaMg", "magnesium citrate and zinc", "citrate"))
    assert names_magnesium("NovaMg 300 mg")
    assert "NovaMg is a magnesium product" in name_hints.amount_hint("NovaMg 300 mg", "medicine")
    assert "NovaMg is a product (magnesium citrate and zinc), not a form" in unknown_form("NovaMg")


# F3 ------------------------------------------------------------------------------------------

def _glycinate_of(compound_mg: float) -> float:
    return float(round(compound_to_elemental("glycinate", compound_mg)))   # as the diary reads


@pytest.mark.parametrize("diary_mg", [_glycinate_of(2000), 282.0])
def test_the_diary_supplement_by_its_label_weight_is_counted_once(diary_mg):
    """Its compound weight (the diary's compound_mg, or the label's elemental in the diary)."""
    entry = "magnesium glycinate 2000 mg"
    other = other_magnesium(Profile(medications=(entry,)), [entry],
                            Regimen("glycinate", diary_mg))
    assert other.the_supplement == (entry,) and other.mg == 0


def test_another_product_of_the_form_is_still_counted():
    entry = "magnesium glycinate 2000 mg"
    other = other_magnesium(Profile(medications=(entry,)), [entry], Regimen("glycinate", 200))
    assert other.the_supplement == () and other.mg == 282       # its safe-side reading
    citrate = other_magnesium(Profile(medications=(entry,)), [entry],
                              Regimen("citrate", _glycinate_of(2000)))
    assert citrate.mg == 282                                    # another form: counted


# F5 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["Magnesium Bisglycinate Chelate", "glycinate chelate",
                                  "Chelated Magnesium Glycinate", "mg bisglycinate chelate"])
def test_a_chelate_after_its_form_is_that_form(cell):
    assert canonical_form(cell) == "glycinate"


@pytest.mark.parametrize("cell", ["chelate", "buffered glycinate", "sucrosomial",
                                  "Magnesium complex", "milk of magnesia", "amino acid chelate"])
def test_a_label_word_is_never_offered_another_form(cell):
    assert "did you mean" not in unknown_form(cell)


@pytest.mark.parametrize(("one", "other"), [
    (a, b) for a, b in itertools.permutations((*FORMS, *ALIASES), 2)
    if canonical_form(a) != canonical_form(b)])
def test_a_slip_of_one_form_never_suggests_another(one, other):
    """Each one-letter slip of a form's name suggests that form or nothing."""
    for at in range(1, len(one)):
        slip = one[:at] + one[at + 1:]
        assert f"'{other}'" not in form_hint(slip)


def test_a_spelling_slip_is_still_offered():
    assert "did you mean 'glycinate'?" in form_hint("glycinat")
    assert "did you mean 'chloride'?" in form_hint("chlorid")


def test_a_buffered_chelate_asks_for_the_elemental_figure():
    said = unknown_form("buffered glycinate")
    assert "added magnesium oxide" in said and "ELEMENTAL magnesium in elemental_mg" in said
    assert "compound_mg" in said


@pytest.mark.parametrize(("cell", "where"), [
    ("milk of magnesia", "list it in your profile's medications"),
    ("Maalox", "list it in your profile's medications"),
    ("Magnesium complex", "as other_magnesium_mg in your profile"),
    ("sucrosomial", "the label's figure, as other_magnesium_mg"),
    ("chelate", "which chelate?")])
def test_a_label_wording_is_told_where_its_magnesium_goes(cell, where):
    assert where in unknown_form(cell)


def test_form_cells_keep_no_list_of_products_of_their_own():
    assert not hasattr(form_cells, "PRODUCTS")


# F7 ------------------------------------------------------------------------------------------

def test_an_epsom_form_cell_is_not_sent_to_other_magnesium_for_a_bath():
    said = form_hint("Epsom salt")
    assert "taken by mouth every day" in said
    assert "in a bath or on the skin it is not counted" in said


def test_baths_and_sprays_are_said_not_counted(priors):
    medicines = {"Epsom salt baths": "epsom salt baths", "magnesium oil spray":
                 "magnesium oil spray", "magnesium oxide 100 mg": "magnesium oxide",
                 "fish oil": None}
    found = on_skin(medicines)
    assert found == ("Epsom salt baths", "magnesium oil spray")
    assert skin_note(found) == ("Epsom salt baths, magnesium oil spray: on the skin, not "
                                "counted towards the ceiling (the limit is for magnesium taken "
                                "by mouth)")
    rules = screen(Profile(medications=[m for m in medicines if m != "fish oil"]), priors.safety)
    assert rules.ceiling_mg == 250                  # the oxide only
    assert skin_note(("Epsom salt baths", "magnesium oil spray")) in rules.warnings


# F8 ------------------------------------------------------------------------------------------

def test_a_label_elemental_figure_is_the_one_counted(tmp_path, priors):
    profile = load_profile(_profile(
        tmp_path, "Magnesium Glycinate 1000 mg (providing 140 mg elemental magnesium)"))
    assert profile.medications == ("Magnesium Glycinate 140 mg",)
    assert screen(profile, priors.safety).ceiling_mg == 210


def test_a_bisglycinate_chelate_entry_is_magnesium_glycinate(tmp_path, priors):
    profile = load_profile(_profile(tmp_path, "magnesium bisglycinate chelate 200 mg"))
    assert screen(profile, priors.safety).ceiling_mg == 150


def test_a_product_with_magnesium_inside_is_read_as_its_parts(tmp_path, priors):
    entry = "multivitamin with 100 mg magnesium oxide"
    with pytest.raises(InputError, match="unknown medicine 'multivitamin'"):
        load_profile(_profile(tmp_path, entry))
    with pytest.warns(UserWarning):
        profile = load_profile(_profile(tmp_path, entry), allow_unknown=True)
    assert profile.medications == ("multivitamin", "magnesium oxide 100 mg")
    assert screen(profile, priors.safety).ceiling_mg == 250


@pytest.mark.parametrize("entry", [
    "Magnesium citrate 2 capsules (providing 200 mg elemental magnesium)",   # per 2 caps
    "magnesium glycinate 1000 mg twice a day (providing 140 mg elemental)"])
def test_an_unsure_label_figure_is_not_read(tmp_path, entry):
    with pytest.raises(InputError, match="unknown medicine"):
        load_profile(_profile(tmp_path, entry))
