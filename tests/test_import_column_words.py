"""An import names an export's column by its words, as the diary reader does, and how to map it.

The diary reader reads ``Bristol stool``, ``evening_anxiety`` and ``quality (1-5)`` as
``stool_bristol``, ``anxiety`` and ``quality`` (:mod:`model.data.column_words`); an import
matched them by spelling only and listed them among the columns not read, saying nothing
more, so a tracker's stool forms were left out and the GI safety rules ran without them.
"""

import json
import shlex
from pathlib import Path

import pandas as pd
import pytest

from model.cli.main import main
from model.data.importers import import_files

DATA = Path(__file__).parent / "data" / "import"
HEADER = "Night,Latency,Bristol stool,evening_anxiety,quality (1-5),waso,Mood"
ROWS = ("2026-10-06,1200,4,3,4,25,ok", "2026-10-07,900,6,5,3,40,meh")


def _app(tmp_path: Path, header: str = HEADER, rows: tuple[str, ...] = ROWS) -> Path:
    path = tmp_path / "app.csv"
    path.write_text("\n".join((header, *rows)) + "\n")
    return path


def _said(warnings: list[str]) -> tuple[str, list[str]]:
    """The warning of the columns not read, and the stool/GI lines."""
    [said] = [w for w in warnings if "not read" in w]
    return said, [w for w in warnings if "STOOL/GI" in w]


def test_csv_names_columns_by_their_words_with_the_exact_map(tmp_path):
    path = _app(tmp_path)
    said, loud = _said(import_files("csv", [path], mapping="date=Night,sol_min=Latency:s")
                       .warnings)
    assert "5 column(s) not read: Bristol stool, evening_anxiety, quality (1-5), waso, Mood" \
        in said
    assert ("Bristol stool (stool_bristol), evening_anxiety (anxiety), quality (1-5) (quality):"
            " diary column(s), NOT imported") in said
    assert ('--map date=Night,sol_min=Latency:s,stool_bristol="Bristol stool",'
            'anxiety=evening_anxiety,quality="quality (1-5)"') in said
    # waso: minutes or hours? not said, so never suggested (and never as awakenings)
    assert "awakenings" not in said and "=waso" not in said and "waso (" not in said
    [line] = loud
    assert "STOOL/GI column NOT imported: Bristol stool (stool_bristol)" in line
    assert "GI safety rules" in line and 'stool_bristol="Bristol stool"' in line


def test_the_map_suggested_brings_the_columns_in(tmp_path, capsys):
    path, out = _app(tmp_path), tmp_path / "diary.csv"
    assert main(["import", "csv", str(path), "--map", "date=Night,sol_min=Latency:s",
                 "--out", str(out)]) == 0
    said = capsys.readouterr().out
    words = shlex.split(said[said.index("--map date=Night"):].split("\n")[0])
    assert main(["import", "csv", str(path), *words, "--out", str(tmp_path / "again.csv")]) == 0
    diary = pd.read_csv(tmp_path / "again.csv", dtype=str, keep_default_na=False)
    assert list(diary["stool_bristol"]) == ["4", "6"] and list(diary["anxiety"]) == ["3", "5"]
    assert list(diary["quality"]) == ["4", "3"]
    assert "not read: waso, Mood" in capsys.readouterr().out   # nothing left to bring in


def test_oura_csv_gives_the_import_csv_command_for_a_stool_column(tmp_path, capsys):
    table = pd.read_csv(DATA / "oura-sleep.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "oura.csv"
    table.assign(**{"Bristol stool": "6", "evening_anxiety": "3"}).to_csv(path, index=False)
    said, [loud] = _said(import_files("oura", [path]).warnings)
    command = (f'mgsleep import csv {path} --map date=bedtime_start,stool_bristol="Bristol '
               'stool",anxiety=evening_anxiety --out DIARY.csv')
    assert command in said and "GI safety rules" in loud
    out = tmp_path / "diary.csv"
    words = [str(out) if w == "DIARY.csv" else w for w in shlex.split(command)[1:]]
    assert main(words) == 0
    assert set(pd.read_csv(out, dtype=str)["stool_bristol"]) == {"6"}


@pytest.mark.parametrize("column, meant", [("WASO (min)", "waso_min"),
                                           ("Number of awakenings", "awakenings")])
def test_a_column_whose_name_says_its_unit_or_count_is_suggested_as_it(tmp_path, column, meant):
    path = _app(tmp_path, f"Night,Latency,{column}", ("2026-10-06,1200,2",))
    said, loud = _said(import_files("csv", [path], mapping="date=Night,sol_min=Latency:s")
                       .warnings)
    assert f'{meant}="{column}"' in said and not loud


@pytest.mark.parametrize("column", ["waso", "wake after sleep onset", "quality (1-10)",
                                    "Sleep latency (h)"])
def test_a_column_of_no_stated_or_another_unit_or_scale_is_not_suggested(tmp_path, column):
    path = _app(tmp_path, f"Night,Latency,{column}", ("2026-10-06,1200,2",))
    said, _ = _said(import_files("csv", [path], mapping="date=Night,sol_min=Latency:s")
                    .warnings)
    assert said == f"{path}: 1 column(s) not read: {column}"


def test_an_export_without_such_columns_gains_no_line(tmp_path):
    path = _app(tmp_path, "Night,Latency,Quality,Mood", ("2026-10-06,1200,4,ok",))
    [said] = import_files("csv", [path], mapping="date=Night,sol_min=Latency:s").warnings
    assert said.startswith(f"{path}: 2 column(s) not read: Quality, Mood. Quality (quality): "
                           "diary column(s), NOT imported (the import reads the sleep only): "
                           "add quality=Quality to --map")   # then the whole --map, written out
    oura = DATA / "oura-sleep.csv"
    assert [w for w in import_files("oura", [oura]).warnings if "not read" in w] == [
        f"oura: {oura}: 3 column(s) not read: id, day, awake_time"]


def test_a_column_already_mapped_is_not_suggested_again_nor_its_second_stool_column(tmp_path):
    path = _app(tmp_path, "Night,Latency,Stool,Bristol stool,quality,quality (1-5)",
                ("2026-10-06,1200,4,4,3,3",))
    warnings = import_files("csv", [path], mapping="date=Night,sol_min=Latency:s,"
                            "stool_bristol=Stool,quality=quality").warnings
    assert list(warnings) == [f"{path}: 2 column(s) not read: Bristol stool, quality (1-5)"]


def test_a_stool_column_named_by_no_diary_column_gets_the_loud_line(tmp_path):
    path = _app(tmp_path, "Night,Latency,Diarrhoea", ("2026-10-06,1200,1",))
    said, [loud] = _said(import_files("csv", [path], mapping="date=Night,sol_min=Latency:s")
                         .warnings)
    assert said == f"{path}: 1 column(s) not read: Diarrhoea"
    assert "STOOL/GI column NOT imported: Diarrhoea: the GI safety rules" in loud
    assert ("if Diarrhoea holds the Bristol stool form (1 to 7), add stool_bristol=Diarrhoea "
            "to --map") in loud and "the same with gi_upset" in loud
    path = _app(tmp_path, "Night,Stool,Upset,Diarrhoea", ("2026-10-06,4,0,1",))
    both = import_files("csv", [path], mapping="date=Night,stool_bristol=Stool,gi_upset=Upset")
    # the GI rules see both columns: no loud line
    assert list(both.warnings) == [f"{path}: 1 column(s) not read: Diarrhoea"]


def test_csd_says_rename_a_stool_column_by_its_words(tmp_path):
    table = pd.read_csv(DATA / "csd-diary.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "csd.csv"
    table.assign(**{"Bristol stool": "4"}).to_csv(path, index=False)
    said, [loud] = _said(import_files("csd", [path]).warnings)
    assert "rename bristol stool to stool_bristol and import again" in said
    assert "rename bristol stool to stool_bristol" in loud


def test_json_names_a_stool_field_but_not_a_trackers_own_by_its_words(tmp_path):
    document = json.loads((DATA / "oura-sleep.json").read_text())
    for record in document["data"]:
        record |= {"Bristol stool": 4, "awakeningsCount": 30}
    path = tmp_path / "oura.json"
    path.write_text(json.dumps(document))
    warnings = import_files("oura", [path]).warnings
    [loud] = [w for w in warnings if "STOOL/GI" in w]
    assert "Bristol stool" in loud and "write Bristol stool as stool_bristol in the diary" in loud
    assert not any("awakeningsCount" in w for w in warnings)   # the tracker's, not the diary's


def test_a_name_no_map_item_can_hold_is_renamed_first_and_a_path_is_quoted(tmp_path):
    folder = tmp_path / "my exports"
    folder.mkdir()
    path = _app(folder, 'Night,Latency,"Stool: Bristol","Anxiety, evening (0-10)",'
                '"Number of awakenings: count"', ("2026-10-06,1200,5,3,2",))
    said, [loud] = _said(import_files("csv", [path], mapping="date=Night,sol_min=Latency:s")
                         .warnings)
    assert ("rename 'Stool: Bristol' to stool_bristol, 'Anxiety, evening (0-10)' to anxiety, "
            "'Number of awakenings: count' to awakenings (an item of --map holds no comma, nor "
            "a colon but before a unit), then add stool_bristol=stool_bristol,anxiety=anxiety,"
            "awakenings=awakenings to --map") in said
    assert "rename 'Stool: Bristol' to stool_bristol" in loud
    table = pd.read_csv(DATA / "oura-sleep.csv", dtype=str, keep_default_na=False)
    oura = folder / "oura sleep.csv"
    table.assign(**{"Bristol stool": "4"}).to_csv(oura, index=False)
    said, _ = _said(import_files("oura", [oura]).warnings)
    assert f'mgsleep import csv "{oura}" --map date=bedtime_start,stool_bristol="Bristol' in said
