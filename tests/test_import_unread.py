"""An import names what it did not read, and a diary column among it is never dropped silently.

An outside audit: an Oura CSV with the person's own ``form`` and ``elemental_mg`` columns was
imported without them, without a word, and the analysis then said "no magnesium, start
glycinate" to someone who took glycinate every night.
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import DiaryError
from model.core.forms import FORMS, load_compounds
from model.data.compound_doses import form_compounds, safe_side_compound
from model.data.diary import read_diary
from model.data.importers import import_files

DATA = Path(__file__).parent / "data" / "import"


def _oura_with(tmp_path: Path, **extra: str) -> Path:
    """The Oura CSV fixture with extra columns, one value each on every row."""
    table = pd.read_csv(DATA / "oura-sleep.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "oura-with.csv"
    table.assign(**extra).to_csv(path, index=False)
    return path


def test_oura_csv_names_its_diary_columns_not_imported_and_the_command_that_imports_them(
        tmp_path):
    path = _oura_with(tmp_path, form="glycinate", elemental_mg="200")
    imported = import_files("oura", [path])
    said = [w for w in imported.warnings if "form" in w]
    assert len(said) == 1
    assert "NOT imported" in said[0] and "elemental_mg" in said[0]
    assert (f"mgsleep import csv {path} --map date=bedtime_start,form=form,"
            "elemental_mg=elemental_mg") in said[0]
    plain = import_files("oura", [DATA / "oura-sleep.csv"])
    pd.testing.assert_frame_equal(imported.table, plain.table)   # nothing read differently
    # the columns the reader does not use are named too (a table: every one of them)
    assert any("column(s) not read: id, day, awake_time" in w for w in plain.warnings)
    assert not any("NOT imported" in w for w in plain.warnings)


def test_the_command_named_brings_the_magnesium_in(tmp_path, capsys):
    path = _oura_with(tmp_path, form="glycinate", elemental_mg="200")
    out = tmp_path / "diary.csv"
    assert main(["import", "oura", str(path), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    command = said[said.index("mgsleep import csv"):].split("\n")[0].split()
    args = [str(out) if word == "DIARY.csv" else word for word in command[1:]]
    assert main(args) == 0
    diary = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(diary["form"]) == {"glycinate"} and set(diary["elemental_mg"]) == {"200"}


def test_a_magnesium_column_without_a_diary_name_asks_for_form_and_dose_columns(tmp_path):
    path = _oura_with(tmp_path, Magnesium="glycinate 200")
    [said] = [w for w in import_files("oura", [path]).warnings if "NOT imported" in w]
    assert "Magnesium" in said and "a column form and a column elemental_mg" in said


def test_json_export_names_only_its_diary_like_fields(tmp_path):
    document = json.loads((DATA / "oura-sleep.json").read_text())
    assert not any("not read" in w for w in import_files("oura", [DATA / "oura-sleep.json"])
                   .warnings)    # efficiency, period, low_battery_alert: Oura's own, unnamed
    for record in document["data"]:
        record["magnesium_mg"] = 200
    path = tmp_path / "oura.json"
    path.write_text(json.dumps(document))
    [said] = [w for w in import_files("oura", [path]).warnings if "not read" in w]
    assert "magnesium_mg" in said and "efficiency" not in said and "--supplements" in said


def test_csv_names_unmapped_columns_and_how_to_map_a_diary_one(tmp_path):
    path = tmp_path / "app.csv"
    path.write_text("Night,Latency,Quality,Mood\n2026-10-06,1200,4,ok\n")
    imported = import_files("csv", [path], mapping="date=Night,sol_min=Latency:s")
    [said] = [w for w in imported.warnings if "not read" in w]
    assert "2 column(s) not read: Quality, Mood" in said
    assert "add quality=Quality to --map" in said
    mapped = import_files("csv", [path], mapping="date=Night,sol_min=Latency:s,quality=Quality")
    assert [w for w in mapped.warnings if "not read" in w] == [
        f"{path}: 1 column(s) not read: Mood"]


def test_csd_names_a_dose_column_it_would_pass_through_under_its_diary_name(tmp_path):
    table = pd.read_csv(DATA / "csd-diary.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "csd.csv"
    table.assign(**{"Elemental Mg": "200", "form": "glycinate"}).to_csv(path, index=False)
    imported = import_files("csd", [path])
    [said] = imported.warnings
    assert "column(s) not read: elemental mg" in said
    assert "rename elemental mg to elemental_mg" in said
    assert set(imported.table["form"]) == {"glycinate"}     # its own diary column is read


@pytest.mark.parametrize("kind, named", [("HKQuantityTypeIdentifierDietaryMagnesium", True),
                                         ("HKQuantityTypeIdentifierHeartRate", False)])
def test_apple_names_dietary_magnesium_records_only(tmp_path, kind, named):
    text = (DATA / "apple-export.xml").read_text()
    record = (f' <Record type="{kind}" sourceName="App" unit="mg" '
              'startDate="2024-03-30 21:00:00 +0100" endDate="2024-03-30 21:00:00 +0100" '
              'value="200"/>\n</HealthData>')
    path = tmp_path / "export.xml"
    path.write_text(text.replace("</HealthData>", record))
    warnings = import_files("apple", [path]).warnings
    said = [w for w in warnings if "not read" in w]
    assert bool(said) == named
    if named:
        assert "1 of HKQuantityTypeIdentifierDietaryMagnesium" in said[0]
        assert "--supplements" in said[0]


def _diary_with_form(tmp_path: Path, cell: str, nights: int = 60) -> Path:
    path = tmp_path / "diary.csv"
    days = pd.date_range("2026-09-01", periods=nights).strftime("%Y-%m-%d")
    pd.DataFrame({"date": days, "form": cell, "elemental_mg": 350, "sol_min": 20}).to_csv(
        path, index=False)
    return path


def test_a_stack_in_the_form_column_says_where_the_second_product_goes_once(tmp_path):
    with pytest.raises(DiaryError) as refused:
        read_diary(_diary_with_form(tmp_path, "glycinate + citrate"))
    [fault] = refused.value.faults
    assert fault.where == "rows 1-60, column form"
    assert "other_magnesium_mg" in fault.message and "the same in 60 rows" in fault.message
    assert "did you mean" not in fault.message


def test_a_dose_in_the_form_column_says_it_goes_in_a_column_of_its_own(tmp_path):
    with pytest.raises(DiaryError) as refused:
        read_diary(_diary_with_form(tmp_path, "glycinate 200 mg", nights=2))
    assert [f.where for f in refused.value.faults] == ["row 1, column form", "row 2, column form"]
    assert "its dose goes in a column of its own, elemental_mg" in refused.value.faults[0].message
    # a misspelt form alone keeps its "did you mean"
    with pytest.raises(DiaryError, match="did you mean 'glycinate'"):
        read_diary(_diary_with_form(tmp_path, "glycinat", nights=2))


def test_import_csv_says_a_form_fault_repeated_on_every_row_once(tmp_path, capsys):
    path = tmp_path / "app.csv"
    days = pd.date_range("2026-10-06", periods=60).strftime("%Y-%m-%d")
    pd.DataFrame({"Night": days, "Latency": 1200, "Magnesium": "glycinate 200 mg"}).to_csv(
        path, index=False)
    assert main(["import", "csv", str(path), "--map", "date=Night,sol_min=Latency:s,"
                 "form=Magnesium", "--out", str(tmp_path / "diary.csv")]) == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "rows 1-60, column Magnesium" in said[0]
    assert "(the same in 60 rows)" in said[0] and "elemental_mg" in said[0]


def _compound_diary(tmp_path: Path, form: str, compound: float, elemental: str = "") -> Path:
    path = tmp_path / "compound.csv"
    days = pd.date_range("2026-09-01", periods=8).strftime("%Y-%m-%d")
    pd.DataFrame({"date": days, "form": form, "compound_mg": compound,
                  "elemental_mg": elemental, "sol_min": 20}).to_csv(path, index=False)
    return path


def test_a_compound_weight_says_the_salt_assumed_and_the_ceiling_on_the_safe_side(tmp_path):
    diary = read_diary(_compound_diary(tmp_path, "chloride", 2500))
    [said] = [w for w in diary.warnings if "compound_mg" in w]
    assert "rows 1-8: compound_mg of chloride read as magnesium chloride hexahydrate " \
           "(11.96 % magnesium; 2500 mg is 299 mg elemental)" in said
    assert "as magnesium chloride anhydrous (25.53 %), 2500 mg is 638 mg, above the safety " \
           "ceiling of 350 mg" in said
    assert set(diary.nights["elemental_mg"]) == {299.0}     # the dose modelled: the README's
    citrate = read_diary(_compound_diary(tmp_path, "citrate", 1000))
    [said] = [w for w in citrate.warnings if "compound_mg" in w]
    assert "trimagnesium dicitrate anhydrous (16.16 % magnesium; 1000 mg is 162 mg" in said
    assert "ceiling" not in said                             # no salt of citrate passes it
    given = read_diary(_compound_diary(tmp_path, "chloride", 2500, elemental="299"))
    assert not any("compound_mg of" in w for w in given.warnings)   # the label's own figure


def test_the_safe_side_compound_of_each_form_holds_the_most_magnesium_of_its_salts():
    compounds = load_compounds()
    for form in FORMS:
        own = form_compounds(form, compounds)
        default = next(c for c in compounds if c.default_for_form == form)
        high = safe_side_compound(form, compounds)
        assert default in own and high.elemental_fraction == max(
            c.elemental_fraction for c in own) >= default.elemental_fraction
    assert "hydroxide" not in str(form_compounds("oxide", compounds))   # no salt of another
    assert safe_side_compound("chloride", compounds).name == "Magnesium chloride anhydrous"
