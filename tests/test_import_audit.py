"""Imports an outside audit of tracker data got wrong (2026-12-05): each with a small export."""

from __future__ import annotations

import pandas as pd
import pytest

from model.cli.main import main

PREFIX = "HKCategoryValueSleepAnalysis"


def apple_export(path, records: list[tuple[str, str, str]], source: str = "Sleep Cycle"):
    """An Apple Health export.xml of sleep records ``(start, end, value)``, times at -0400."""
    rows = "".join(
        f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{source}" '
        f'startDate="{start} -0400" endDate="{end} -0400" value="{PREFIX}{value}"/>\n'
        for start, end, value in records)
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
                    f"{rows}</HealthData>\n")
    return str(path)


def imported(tmp_path, capsys, *args: str, name: str = "diary.csv") -> tuple[pd.DataFrame, str]:
    out = tmp_path / name
    assert main(["import", *args, "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    # the tracker named on the nights it filled (test_device_change.py), not compared here
    return table.drop(columns="device", errors="ignore"), capsys.readouterr().out


def test_awake_in_bed_between_two_sleeps_is_an_awakening_not_the_latency(tmp_path, capsys):
    """In bed 22:45, asleep 23:00-00:20, awake 2 h 10 min, asleep 02:30-07:00: the night was
    read as 225 minutes to fall asleep and no awakening (the first sleep left out as a nap)."""
    export = apple_export(tmp_path / "export.xml", [
        ("2024-06-03 22:45:00", "2024-06-04 07:00:00", "InBed"),
        ("2024-06-03 23:00:00", "2024-06-04 00:20:00", "AsleepUnspecified"),
        ("2024-06-04 02:30:00", "2024-06-04 07:00:00", "AsleepUnspecified")])
    table, printed = imported(tmp_path, capsys, "apple", export)
    assert table.to_dict("records") == [{"date": "2024-06-03", "sol_min": "15",
                                         "awakenings": "1", "waso_min": "130"}]
    assert "nap" not in printed


def test_an_evening_doze_before_going_to_bed_stays_a_nap(tmp_path, capsys):
    export = apple_export(tmp_path / "export.xml", [
        ("2024-06-03 19:30:00", "2024-06-03 20:15:00", "AsleepUnspecified"),   # on the sofa
        ("2024-06-03 22:45:00", "2024-06-04 07:00:00", "InBed"),
        ("2024-06-03 23:00:00", "2024-06-04 07:00:00", "AsleepUnspecified")])
    table, printed = imported(tmp_path, capsys, "apple", export)
    assert table.to_dict("records") == [{"date": "2024-06-03", "sol_min": "15",
                                         "awakenings": "0", "waso_min": "0"}]
    assert "1 nap(s) or shorter sleep(s) of a night left out" in printed


def test_a_sleep_past_noon_is_not_cut_at_noon(tmp_path, capsys):
    """Asleep 03:00-12:40 with awakenings at 06:30 and 11:50: the part after 12:00 went to the
    next night and was left out as a nap, so the night showed one awakening, not two."""
    export = apple_export(tmp_path / "export.xml", [
        ("2024-06-02 03:00:00", "2024-06-02 06:30:00", "AsleepCore"),
        ("2024-06-02 06:30:00", "2024-06-02 06:40:00", "Awake"),
        ("2024-06-02 06:40:00", "2024-06-02 11:50:00", "AsleepCore"),
        ("2024-06-02 11:50:00", "2024-06-02 12:00:00", "Awake"),
        ("2024-06-02 12:00:00", "2024-06-02 12:40:00", "AsleepCore")], source="Apple Watch")
    table, printed = imported(tmp_path, capsys, "apple", export)
    assert table.to_dict("records") == [{"date": "2024-06-01", "sol_min": "",
                                         "awakenings": "2", "waso_min": "20"}]
    assert "nap" not in printed


def test_a_night_above_the_diary_range_is_kept_with_that_value_blank(tmp_path, capsys):
    """55 interruptions in one night stopped the whole import ("got '55'", naming the diary)."""
    records = [("2024-06-03 22:45:00", "2024-06-04 07:00:00", "InBed")]
    for k in range(56):          # 56 sleeps of 5 minutes, 4 minutes apart: 55 awakenings
        start = pd.Timestamp("2024-06-03 23:00") + pd.Timedelta(minutes=9 * k)
        end = start + pd.Timedelta(minutes=5)
        records.append((f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}",
                        "AsleepCore"))
    table, printed = imported(tmp_path, capsys, "apple",
                              apple_export(tmp_path / "export.xml", records))
    assert table.to_dict("records") == [{"date": "2024-06-03", "sol_min": "15",
                                         "awakenings": "", "waso_min": "220"}]
    assert ("apple: 1 night(s) with awakenings above the diary's range (a whole number from 0 "
            "to 50): left blank") in printed


def test_dates_written_as_midnight_times_stay_their_dates(tmp_path, capsys):
    """Spreadsheets write plain dates as '2024-03-02 00:00:00': read as sleeps starting at
    midnight, every night moved one day earlier, and --date-is morning was ignored."""
    source = tmp_path / "app.csv"
    source.write_text("Day,Latency\n2024-03-02 00:00:00,25\n2024-03-03 00:00:00,10\n")
    table, _ = imported(tmp_path, capsys, "csv", str(source), "--map", "date=Day,sol_min=Latency")
    assert table["date"].tolist() == ["2024-03-02", "2024-03-03"]
    out = tmp_path / "morning.csv"
    assert main(["import", "csv", str(source), "--map", "date=Day,sol_min=Latency",
                 "--date-is", "morning", "--out", str(out), "--quiet"]) == 0
    assert pd.read_csv(out)["date"].tolist() == ["2024-03-01", "2024-03-02"]
    source.write_text("Day,Latency\n2024-03-02 00:00:00+00:00,25\n2024-03-03T00:00:00Z,10\n")
    table, _ = imported(tmp_path, capsys, "csv", str(source), "--map", "date=Day,sol_min=Latency",
                        name="offsets.csv")    # as pandas writes dates with a time zone
    assert table["date"].tolist() == ["2024-03-02", "2024-03-03"]
    source.write_text("Day,Latency\n2024-03-02 00:00:00,25\n2024-03-02 23:40:00,10\n")
    table, _ = imported(tmp_path, capsys, "csv", str(source), "--map", "date=Day,sol_min=Latency",
                        name="times.csv")
    assert table["date"].tolist() == ["2024-03-01", "2024-03-02"]   # start times: their nights


@pytest.mark.parametrize("option", [["--date-is", "morning"], ["--map", "date=Day"]])
def test_csv_options_with_another_source_are_an_error(tmp_path, capsys, option):
    export = apple_export(tmp_path / "export.xml", [
        ("2024-06-03 23:00:00", "2024-06-04 07:00:00", "AsleepUnspecified")])
    out = tmp_path / "diary.csv"
    assert main(["import", "apple", export, *option, "--out", str(out)]) == 2
    assert f"{option[0]}: applies to SOURCE csv only, not apple" in capsys.readouterr().err
    assert not out.exists()
