"""A form named as labels abroad name it (a traveller's audit, /tmp/w55/t T5).

``mgsleep log --form Magnesiumbisglycinat`` (German), ``citrate de magnésium`` (French),
``glicinato de magnesio`` (Spanish) and ``magnesium bisglycinate (Albion)`` were "none of the
forms mgsleep models ... give its elemental magnesium as other_magnesium_mg", which moves the
supplement under test into the profile; ``Magnesium-Bisglycinat`` was "did you mean
'bisglycinate'?".
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from model.cli.main import main
from model.core.forms import ABROAD, ALIASES, FORMS, canonical_form, form_hint, load_compounds
from model.data.diary import read_diary
from model.data.form_cells import unknown_form

LABELS = [
    ("Magnesiumbisglycinat", "glycinate"), ("Magnesium-Bisglycinat", "glycinate"),
    ("Magnesiumglycinat", "glycinate"), ("magnesiumbisglycinaat", "glycinate"),
    ("Magnesiumcitrat", "citrate"), ("magnesiumcitraat", "citrate"),
    ("citrate de magnésium", "citrate"), ("bisglycinate de magnésium", "glycinate"),
    ("glycinate de magnésium", "glycinate"), ("taurate de magnésium", "taurate"),
    ("malate de magnésium", "malate"), ("chlorure de magnésium", "chloride"),
    ("lactate de magnésium", "lactate"), ("oxyde de magnésium", "oxide"),
    ("L-thréonate de magnésium", "threonate"),
    ("glicinato de magnesio", "glycinate"), ("bisglicinato de magnesio", "glycinate"),
    ("citrato de magnesio", "citrate"), ("taurato de magnesio", "taurate"),
    ("malato de magnesio", "malate"), ("cloruro de magnesio", "chloride"),
    ("lactato de magnesio", "lactate"), ("óxido de magnesio", "oxide"),
    ("treonato de magnesio", "threonate"), ("citrato de magnésio", "citrate"),
    ("citrato di magnesio", "citrate"), ("magnesio bisglicinato", "glycinate"),
    ("Magnesiumtaurat", "taurate"), ("Magnesiummalat", "malate"),
    ("Magnesiumchlorid", "chloride"), ("Magnesiumlaktat", "lactate"),
    ("Magnesium-Lactat", "lactate"), ("Magnesiumoxid", "oxide"),
    ("Magnesium-L-Threonat", "threonate"), ("magnesiumklorid", "chloride"),
    ("magnesium bisglycinate (Albion)", "glycinate"),
    ("Magnesium (as magnesium glycinate)", "glycinate"),          # /tmp/w55/t2 N5: the US
    ("Magnesium (aus Magnesiumcitrat)", "citrate"),               # Supplement Facts' line
    ("Magnesium citrate (with magnesium oxide)", "citrate"),
    ("Magnesium Bisglycinat Chelat (TRAACS)", "glycinate"),
    ("Magnesium L-lactate", "lactate"),
]


def _compound_words() -> list[str]:
    """The word of each bundled compound that is none of the forms (carbonate, sulfate)."""
    words = {w for c in load_compounds()
             for w in re.findall(r"[a-z]+(?:ate|ide)\b", c.name.lower())}
    return sorted(w for w in words if not w.endswith("hydrate")
                  and canonical_form(re.sub(r"^(?:di|tri|bis)", "", w)) is None)


@pytest.mark.parametrize(("label", "form"), LABELS)
def test_a_form_named_as_labels_abroad_name_it_is_that_form_in_the_diary(tmp_path, label,
                                                                          form):
    path = tmp_path / "diary.csv"
    pd.DataFrame({"date": ["2026-11-10"], "form": [label], "elemental_mg": [200]}).to_csv(
        path, index=False)
    assert read_diary(path).nights.loc["2026-11-10", "form"] == form


@pytest.mark.parametrize(("label", "form"), LABELS)
def test_log_takes_a_form_named_as_labels_abroad_name_it(tmp_path, capsys, label, form):
    path = tmp_path / "diary.csv"
    path.write_text("date,form,elemental_mg,sol_min\n2026-11-10,glycinate,200,30\n")
    assert main(["log", str(path), "--date", "2026-11-11", "--form", label, "--mg", "200",
                 "--sol", "30"]) == 0
    assert "other_magnesium_mg" not in capsys.readouterr().err
    assert read_diary(path).nights.loc["2026-11-11", "form"] == form


@pytest.mark.parametrize("word", sorted(ABROAD))
def test_every_word_abroad_beside_the_element_is_its_form(word):
    form = ABROAD[word]
    for label in (f"Magnesium{word}", f"Magnesium-{word}", f"{word} de magnésium",
                  f"{word} de magnesio", f"magnesio {word}"):
        assert canonical_form(label) == form, label


def test_the_words_abroad_are_one_table_of_the_forms():
    assert set(ABROAD.values()) <= set(FORMS)
    assert not set(ABROAD) & {*FORMS, *ALIASES}          # the English are read as they are
    assert not set(ABROAD) & {w.removesuffix("e") for w in _compound_words()}


@pytest.mark.parametrize("word", _compound_words())
def test_a_compound_of_no_form_is_still_none_of_them_abroad(word):
    """Carbonat, sulfato, aspartate de magnésium: never a form, never offered one."""
    stem = word.removesuffix("e")
    for label in (f"Magnesium{stem}", f"Magnesium {stem}", f"{word} de magnésium",
                  f"{stem}o de magnesio"):
        said = unknown_form(label)
        assert canonical_form(label) is None, label
        assert "none of the forms mgsleep models" in said and "did you mean" not in said, label


@pytest.mark.parametrize(("typed", "meant"), [
    ("Magnesiumcitrrat", "citrate"), ("glicinatto de magnesio", "glycinate"),
    ("Magnesium Glycinatt", "glycinate"), ("glycinat", "glycinate"), ("oxyde", "oxide")])
def test_a_misspelling_still_gets_its_did_you_mean(tmp_path, capsys, typed, meant):
    """A form's word abroad alone may be a slip of the English name: it is offered, not read."""
    path = tmp_path / "diary.csv"
    path.write_text("date,form,elemental_mg\n2026-11-10,glycinate,200\n")
    assert main(["log", str(path), "--date", "2026-11-11", "--form", typed]) == 2
    assert f"got {typed!r} (did you mean {meant!r}?)" in capsys.readouterr().err


@pytest.mark.parametrize("word", sorted(ABROAD))
def test_a_slip_of_a_word_abroad_never_suggests_another_form(word):
    for at in range(len(word)):
        offered = re.search(r"did you mean '([^']+)'", form_hint(word[:at] + word[at + 1:]))
        assert offered is None or canonical_form(offered[1]) == ABROAD[word], word


def test_a_compound_of_no_form_in_brackets_is_none_of_them():
    assert canonical_form("Magnesium (as magnesium carbonate)") is None


def test_a_brand_alone_in_brackets_is_no_night_without_magnesium():
    assert canonical_form("(Albion)") is None
