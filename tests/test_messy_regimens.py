"""Messy regimen input, an as-needed taker's audit (/tmp/w57/n N7, N10).

N7: a form cell ``glycinate (as needed)`` (or ``prn``, ``as needed``, ``when needed``) was
refused as "none of the forms", sending her own supplement to ``other_magnesium_mg``, where it
would be counted twice. N10: ``200 mg`` was "expected a number"; ``Mg gly`` and ``gly`` got no
"did you mean"; ``log --form 'Mg gly'`` blamed "row 60, column form"; "1 nights on it", "the 1
nights between".
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.cli.main import main
from model.core.forms import ALIASES, ELEMENT, FORMS, canonical_form
from model.core.regimen import Regimen
from model.data.diary import DiaryWarning, read_diary
from model.data.diary_rows import cell_problem
from model.data.form_cells import START_LEAST, unknown_form
from model.data.profile import Profile
from model.decision.history import History
from model.decision.settings import DecisionSettings
from model.report.build_up_words import still_building

AS_NEEDED = ["glycinate (as needed)", "glycinate prn", "glycinate as needed",
             "glycinate when needed", "Mg glycinate (PRN)", "glycinate, p.r.n."]
START = "date,form,elemental_mg,sol_min\n2026-12-01,glycinate,200,30\n"


def _table(forms: list[str], doses: list[object] | None = None,
           column: str = "elemental_mg") -> pd.DataFrame:
    days = pd.date_range("2026-11-01", periods=len(forms)).strftime("%Y-%m-%d")
    return pd.DataFrame({"date": days, "form": forms, column: doses or [200] * len(forms),
                         "sol_min": 20})


@pytest.fixture
def diary(tmp_path: Path) -> Path:
    path = tmp_path / "diary.csv"
    path.write_text(START)
    return path


# --- N7: words of when it is taken ----------------------------------------------------------


def test_words_of_when_it_is_taken_are_no_part_of_the_forms_name():
    """Read as a bracketed brand is; what names no form is refused with or without them."""
    assert {cell: canonical_form(cell) for cell in AS_NEEDED} == dict.fromkeys(AS_NEEDED,
                                                                               "glycinate")
    refused = ["prn", "as needed", "Magnesium (as needed)", "carbonate prn",
               "glycinate (as needed", "glycinateprn"]
    assert [canonical_form(cell) for cell in refused] == [None] * len(refused)


def test_a_diary_reads_the_form_and_says_once_what_it_read():
    """Three rows of one spelling: one warning naming them, none of other_magnesium_mg."""
    table = _table(["glycinate", "glycinate as needed", "", "glycinate as needed",
                    "glycinate as needed", "glycinate prn"],
                   [200, 200, None, 200, 200, 200])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diary = read_diary(table)
    assert (diary.nights.loc[diary.nights["elemental_mg"] > 0, "form"] == "glycinate").all()
    said = [str(w.message) for w in caught if issubclass(w.category, DiaryWarning)
            and "read as" in str(w.message)]
    assert said == [
        "<DataFrame>: rows 2, 4-5, column form: 'glycinate as needed' read as glycinate: a diary "
        "row is one night's dose: give the form on the nights you took it, and none on the "
        "others",
        "<DataFrame>: row 6, column form: 'glycinate prn' read as glycinate: a diary row is one "
        "night's dose: give the form on the nights you took it, and none on the others"]
    assert not any("other_magnesium_mg" in w for w in diary.warnings)


@pytest.mark.parametrize("cell", ["glycinate sometimes", "Magnesium glycinate evening",
                                  "Mg bisglycinate nightly"])
def test_one_form_among_other_words_is_asked_for_the_form_not_sent_elsewhere(cell):
    """Not "none of the forms ... other_magnesium_mg", nor "a medicine with magnesium".

    Another magnesium beside the form (``glycinate lysinate``, a blend of two chelates) is
    still sent to the profile: it is not glycinate alone.
    """
    said = unknown_form(cell)
    assert "write only the form, glycinate, in form, and the other words in notes" in said
    assert "other_magnesium_mg" not in said and "is a medicine" not in said
    assert "as other_magnesium_mg in your profile" in unknown_form("Magnesium glycinate lysinate")


def test_log_reads_the_form_warns_once_and_counts_nothing_twice(diary, capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["log", str(diary), "--date", "2026-12-02", "--form",
                     "glycinate (as needed)", "--mg", "200"]) == 0
    said = [str(w.message) for w in caught if "read as" in str(w.message)]
    assert said == ["--form 'glycinate (as needed)' read as glycinate: a diary row is one "
                    "night's dose: give the form on the nights you took it, and none on the "
                    "others"]
    assert read_diary(diary, warn=False).regimen_counts() == {"glycinate@200": 2}


# --- N10: a dose with its unit ------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["200 mg", "200mg", " 200 MG "])
def test_a_dose_with_its_unit_mg_is_read_in_the_columns_own_unit(cell):
    """``200 mg`` of elemental_mg is 200 elemental mg; of compound_mg, 200 mg of the compound.

    A dose in any other unit is never converted: it stays refused.
    """
    elemental = read_diary(_table(["glycinate"], [cell]), warn=False)
    assert elemental.nights["elemental_mg"].tolist() == [200.0]
    compound = read_diary(_table(["oxide"], [cell], column="compound_mg"), warn=False)
    assert compound.nights["elemental_mg"].tolist() == [121.0]   # oxide's 60.3 %, compound mg
    for other in ["0.2 g", "2 caps", "200mg?", "8 mmol", "200 mg glycinate"]:
        said = cell_problem("elemental_mg", other)
        assert said is not None and said.startswith("expected a number from 0 to 2000 (mg of ")
        assert said.endswith(f"got {other!r}")


def test_log_takes_a_dose_with_its_unit(diary):
    assert main(["log", str(diary), "--date", "2026-12-02", "--form", "glycinate", "--mg",
                 "200 mg"]) == 0
    assert diary.read_text().splitlines()[-1].startswith("2026-12-02,glycinate,200,")


# --- N10: the start of a form's name ------------------------------------------------------------


@pytest.mark.parametrize("cell", ["Mg gly", "gly", "glyc", "magnesium glyc", "Mg-gly"])
def test_the_start_of_one_forms_name_is_offered_it(cell):
    """A start that may be two forms (``t``: taurate or threonate) or is short is offered none."""
    assert unknown_form(cell).endswith(f"got {cell!r} (did you mean 'glycinate'?)")
    assert not any("did you mean" in unknown_form(short) for short in ["g", "Mg t", "ch", "ta"])


def test_every_start_offered_is_of_its_own_form_alone():
    """From START_LEAST letters, every start of a name is offered its form, never another."""
    names = {f: f for f in FORMS} | ALIASES
    for name, form in names.items():
        for end in range(START_LEAST, len(name)):
            start = name[:end]
            if start in ELEMENT:     # "mag" (magtein) is asked which form
                continue
            owners = {f for n, f in names.items() if n.startswith(start)}
            meant = re.search(r"\(did you mean '([a-z]+)'\?\)", unknown_form(start))
            offered = names.get(meant[1], meant[1]) if meant else None
            assert offered == (form if owners == {form} else None), start


@pytest.mark.parametrize("value", ["Mg gly", "magic"])
def test_log_names_the_option_of_a_form_it_cannot_read(diary, capsys, value):
    assert main(["log", str(diary), "--date", "2026-12-02", "--form", value, "--mg", "200"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mgsleep log: error: --form: expected one of glycinate")
    assert "row 2" not in err and f"got {value!r}" in err
    assert diary.read_text() == START


# --- N10: one night, not "1 nights" ----------------------------------------------------------


def test_a_one_night_gap_between_two_regimens_is_one_night():
    table = pd.DataFrame({"date": ["2026-01-01", "2026-01-02", "2026-01-04", "2026-01-05"],
                          "form": ["glycinate", "glycinate", "taurate", "taurate"],
                          "elemental_mg": 200, "sol_min": 20})
    change = [w for w in read_diary(table, warn=False).warnings if "no night written" in w]
    assert "the night between (2026-01-03) is taken as taurate 200 mg (the change" in change[0]
    assert "1 nights" not in change[0]


def test_the_build_up_words_count_one_night_as_one():
    gly = Regimen("glycinate", 200)
    tau = 11.0 * np.exp(0.5 * np.random.default_rng(0).standard_normal(4000))
    for nights, said in [(1, "1 night on it"), (2, "2 nights on it")]:
        past = History(current=gly, nights_on_current=nights, nights_on={gly: nights})
        result = SimpleNamespace(diary=past, fit=SimpleNamespace(draws_={"tau": tau}),
                                 profile=Profile(), settings=DecisionSettings())
        assert still_building(result, helping=True).startswith(
            f" Its effect may still be building: {said}, and a build-up as slow as the fit "
            "allows (time constant up to 21 nights)")


def test_log_asked_takes_a_dose_typed_with_its_unit(tmp_path, monkeypatch):
    """``--mg '200 mg'`` was read and the same answer at the prompt refused (/tmp/w57/n N10)."""
    from model.cli import log as log_command

    asked: list[str] = []

    def answer(question: str) -> str:
        asked.append(question)
        if len(asked) > 20:                   # asked again and again: refused
            raise AssertionError(asked[-3:])
        return ("glycinate" if question.startswith("form") else "200 mg"
                if "elemental" in question else "20" if "to fall asleep" in question else "")

    monkeypatch.setattr(log_command, "prompt", answer)
    path = tmp_path / "asked.csv"
    path.write_text("date,form,elemental_mg,sol_min\n2026-03-01,glycinate,200,25\n")
    assert main(["log", str(path), "--interactive", "--date", "2026-03-02"]) == 0
    rows = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("date")
    assert rows.loc["2026-03-02", "elemental_mg"] == "200"
    assert sum("elemental" in q for q in asked) == 1          # asked once, not again


def test_log_sees_200_mg_in_the_diary_as_200(tmp_path):
    path = tmp_path / "unit.csv"
    path.write_text("date,form,elemental_mg,sol_min\n2026-03-01,glycinate,200 mg,25\n")
    assert main(["log", str(path), "--date", "2026-03-01", "--mg", "200", "--sol", "25"]) == 0
    assert main(["log", str(path), "--date", "2026-03-01", "--mg", "300"]) != 0   # a change
