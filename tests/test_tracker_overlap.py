"""Two trackers over the same nights: the import of the second one, and a diary with both.

An outside audit (a person who changed from a Fitbit to an Oura ring with two weeks of both):
the Oura export of her own nights was refused as "most likely another person's export" with
only ``--overwrite`` suggested, which kept ``device=fitbit`` on Oura's values; a diary with a
row per tracker on those nights gave 14 lines of "expected a date not already used".
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import DiaryError
from model.data.diary import read_diary
from model.data.merge import merge_rows

START = dt.date(2026, 8, 1)
FITBIT_NIGHTS, OURA_FROM, NIGHTS = 30, 16, 40
"""Fitbit on nights 0-29, Oura from night 16 to 39: 14 nights worn with both."""


def _day(i: int) -> str:
    return (START + dt.timedelta(days=i)).isoformat()


def _diary(path, device: str | None = "fitbit") -> str:
    """A diary of the Fitbit nights (``device`` in column device; None: no such column)."""
    rows = [{"date": _day(i), "sol_min": 20 + i % 5, "awakenings": 1 + i % 3}
            | ({} if device is None else {"device": device}) for i in range(FITBIT_NIGHTS)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path.read_text()


def _oura(path) -> None:
    """An Oura CSV of nights 16-39 whose latency differs from the diary's every night."""
    rows = []
    for i in range(OURA_FROM, NIGHTS):
        start = dt.datetime.combine(START + dt.timedelta(days=i), dt.time(23))
        rows.append({"bedtime_start": f"{start.isoformat()}+00:00",
                     "bedtime_end": f"{(start + dt.timedelta(hours=8)).isoformat()}+00:00",
                     "type": "long_sleep", "latency": (8 + i % 4) * 60,
                     "awakenings": 5 + i % 2})
    pd.DataFrame(rows).to_csv(path, index=False)


def _import(tmp_path, *extra: str) -> int:
    return main(["import", "oura", str(tmp_path / "oura.csv"), "--out",
                 str(tmp_path / "diary.csv"), "--quiet", *extra])


def test_a_second_tracker_is_named_and_since_the_night_after_the_first_suggested(
        tmp_path, capsys):
    """Differing nights naming fitbit in the diary and oura in the export: a second tracker,
    with --since the night after the diary's last Fitbit night and --overwrite; refused,
    nothing written."""
    before = _diary(tmp_path / "diary.csv")
    _oura(tmp_path / "oura.csv")
    assert _import(tmp_path) == 2
    err = capsys.readouterr().err
    assert "a second tracker over the same nights (fitbit in the diary, oura in this export)" \
        in err
    assert "another person's" not in err
    assert f"--since {_day(FITBIT_NIGHTS)}" in err and "--overwrite" in err
    assert (tmp_path / "diary.csv").read_text() == before
    assert not (tmp_path / "diary.csv.bak").exists()


def test_the_suggested_since_imports_the_rest(tmp_path):
    """The --since suggested merges the ring's later nights without a refusal."""
    _diary(tmp_path / "diary.csv")
    _oura(tmp_path / "oura.csv")
    assert _import(tmp_path, "--since", _day(FITBIT_NIGHTS)) == 0
    nights = read_diary(tmp_path / "diary.csv").nights
    assert nights["device"].iloc[:FITBIT_NIGHTS].eq("fitbit").all()
    assert nights["device"].iloc[FITBIT_NIGHTS:].eq("oura").all()
    assert len(nights) == NIGHTS


def test_overwrite_names_the_tracker_of_the_values_it_took(tmp_path, capsys):
    """With --overwrite, each night whose tracker values the ring's replaced names oura; the
    nights only the Fitbit measured keep fitbit."""
    _diary(tmp_path / "diary.csv")
    _oura(tmp_path / "oura.csv")
    assert _import(tmp_path, "--overwrite") == 0
    nights = read_diary(tmp_path / "diary.csv").nights
    assert nights["device"].iloc[:OURA_FROM].eq("fitbit").all()
    assert nights["device"].iloc[OURA_FROM:].eq("oura").all()
    assert nights["sol_min"].iloc[OURA_FROM] == 8 + OURA_FROM % 4
    assert "are oura's estimate" in capsys.readouterr().out


@pytest.mark.parametrize("device", ["oura", None])
def test_another_persons_export_is_still_refused_as_one(tmp_path, capsys, device):
    """Differing nights of the same device, or of none named: another person's export, as
    before (a second tracker needs two device names)."""
    before = _diary(tmp_path / "diary.csv", device)
    _oura(tmp_path / "oura.csv")
    assert _import(tmp_path) == 2
    err = capsys.readouterr().err
    assert "most likely another person's export" in err and "second tracker" not in err
    assert (tmp_path / "diary.csv").read_text() == before


def _two_rows(path, second: str) -> str:
    """A diary with a second row (device ``second``) for each of nights 16-29."""
    rows = [{"date": _day(i), "sol_min": 20, "device": "fitbit"} for i in range(FITBIT_NIGHTS)]
    rows += [{"date": _day(i), "sol_min": 10, "device": second}
             for i in range(OURA_FROM, FITBIT_NIGHTS)]
    pd.DataFrame(rows).sort_values("date", kind="stable").to_csv(path, index=False)
    return path.read_text()


def test_a_night_on_two_rows_of_two_trackers_is_one_fault_naming_both(tmp_path):
    """14 nights on two rows, Fitbit's and Oura's: one fault, naming its rows, the nights,
    both devices and what to do."""
    _two_rows(tmp_path / "diary.csv", "oura")
    with pytest.raises(DiaryError) as caught:
        read_diary(tmp_path / "diary.csv")
    faults = caught.value.faults
    assert len(faults) == 1
    assert faults[0].where == "rows 18, 20, 22 and 11 more, column date"
    assert (f"two rows for each of 14 nights, {_day(OURA_FROM)} to {_day(FITBIT_NIGHTS - 1)} "
            "(fitbit, oura): keep the row of the source you used before and after, or put "
            "the other tracker's numbers in a diary of their own") in faults[0].message


def test_log_on_a_diary_of_two_trackers_names_both_and_writes_nothing(tmp_path, capsys):
    """``mgsleep log`` reads the rows before merging: the same one line, nothing written."""
    text = _two_rows(tmp_path / "diary.csv", "oura")
    assert main(["log", str(tmp_path / "diary.csv"), "--date", _day(NIGHTS), "--sol",
                 "15"]) == 2
    err = capsys.readouterr().err
    assert err.count("column date") == 1 and "(fitbit, oura)" in err
    assert (tmp_path / "diary.csv").read_text() == text


def test_a_repeated_night_of_one_tracker_is_one_fault_too(tmp_path):
    """The same device on both rows: a date given again (not two trackers), said once."""
    _two_rows(tmp_path / "diary.csv", "fitbit")
    with pytest.raises(DiaryError) as caught:
        read_diary(tmp_path / "diary.csv")
    (fault,) = caught.value.faults
    assert fault.where.startswith("rows 18, 20, 22 and 11 more") and "fitbit" not in fault.message
    assert "two rows for each of 14 nights" in fault.message


def test_overwrite_names_the_new_source_only_where_a_tracker_value_was_replaced():
    """A replaced rating (the person's own) leaves the night's device; a replaced latency
    names the new source; a merge without overwrite names none."""
    diary = pd.DataFrame({"date": ["2026-08-01", "2026-08-02"], "sol_min": ["20", "20"],
                          "quality": ["3", "3"], "device": ["fitbit", "fitbit"]})
    new = pd.DataFrame({"date": ["2026-08-01", "2026-08-02"], "sol_min": ["20", "9"],
                        "quality": ["4", "3"]})
    rows = merge_rows(diary, new, overwrite=True, device="oura")[0]
    assert rows["device"].tolist() == ["fitbit", "oura"]
    assert merge_rows(diary, new, device="oura")[0]["device"].tolist() == ["fitbit", "fitbit"]
