"""``mgsleep import apple`` reads the days of a period (the cycle audit, /tmp/w56/cyc).

A 28-day cycle put every premenstrual week of a 14-night ABAB plan on taurate, and taurate
"looks to do you harm (P 0.92)" while no form did anything: the model fits the days before a
period once the diary's ``menstruation`` column says which days were bleeding ones, and Apple
Health's Cycle Tracking already holds them as ``HKCategoryTypeIdentifierMenstrualFlow``
records. Before, the import skipped them: no column, whatever the export held.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_import_tracker_quirks import nights
from test_import_travel import apple_xml, night, on_phone

from model.cli.main import main
from model.data.diary import read_diary

FLOW = "HKCategoryValueMenstrualFlow"


def flow(start: str, end: str, value: str, zone: str | None = None,
         first: bool = False) -> str:
    """One flow record as the export writes it: times ISO with their offset, as on the phone."""
    def written(moment: str) -> str:
        return pd.Timestamp(moment).strftime("%Y-%m-%d %H:%M:%S %z")

    meta = [f'  <MetadataEntry key="HKMenstrualCycleStart" value="{int(first)}"/>\n']
    if zone is not None:
        meta.append(f'  <MetadataEntry key="HKTimeZone" value="{zone}"/>\n')
    return (f' <Record type="HKCategoryTypeIdentifierMenstrualFlow" sourceName="Health" '
            f'sourceVersion="17.4" creationDate="{written(start)}" startDate="{written(start)}" '
            f'endDate="{written(end)}" value="{value}">\n{"".join(meta)} </Record>\n')


def london_night(day: str, next_day: str) -> list[str]:
    """A night in London (bed 23:00, asleep 23:10 to 06:50), exported in London."""
    return night(f"{day}T23:00+00:00", f"{day}T23:10+00:00",
                 (f"{next_day}T03:00+00:00", f"{next_day}T03:10+00:00"),
                 f"{next_day}T06:50+00:00", "Europe/London", "+00:00")


def singapore_day(day: str, value: str, first: bool = False) -> str:
    """A day's flow recorded in Singapore (00:00 to 00:00 there), exported in London."""
    start, end = f"{day}T00:00+08:00", (pd.Timestamp(day) + pd.Timedelta(days=1)).date()
    return flow(on_phone(start, "+00:00"), on_phone(f"{end}T00:00+08:00", "+00:00"), value,
                "Asia/Singapore", first)


NIGHTS = (london_night("2026-03-01", "2026-03-02") + london_night("2026-03-02", "2026-03-03")
          + london_night("2026-03-04", "2026-03-05") + london_night("2026-03-09", "2026-03-10"))
"""Sleep on the nights of 1, 2, 4 and 9 March (none on 3 March: the watch was charging)."""


def test_flow_records_give_the_nights_of_their_local_days_on_their_zones_clock(tmp_path):
    """Each record's day on the clock it was recorded in, read as that evening's night.

    Singapore's 2 March begins at 16:00 on 1 March in London: without its ``HKTimeZone``
    the first day of the period would be the night before it. A record for a whole period
    (another app's) gives each of its days; iOS 18's new name of the values reads alike;
    ``None`` is 0, a night without a record blank.
    """
    records = [*NIGHTS, singapore_day("2026-03-02", f"{FLOW}Heavy", first=True),
               flow("2026-03-03T00:00+00:00", "2026-03-04T00:00+00:00", f"{FLOW}Medium"),
               flow("2026-03-04T08:00+00:00", "2026-03-04T08:00+00:00",
                    "HKCategoryValueVaginalBleedingLight"),
               flow("2026-03-09T00:00+00:00", "2026-03-10T00:00+00:00", f"{FLOW}None")]
    got, warnings = nights("apple", apple_xml(tmp_path / "export.xml", records))
    assert {day: values.get("menstruation") for day, values in got.items()} == {
        "2026-03-01": None, "2026-03-02": "1", "2026-03-03": "1", "2026-03-04": "1",
        "2026-03-09": "0"}
    assert ("apple: 3 day(s) of menstrual bleeding written menstruation = 1 and 1 night(s) of "
            "no flow written 0") in warnings[-1]

    whole = [*NIGHTS, flow("2026-03-02T00:00+00:00", "2026-03-05T00:00+00:00", f"{FLOW}Light")]
    got, _ = nights("apple", apple_xml(tmp_path / "period.xml", whole))
    assert [day for day, values in got.items() if values.get("menstruation") == "1"] == [
        "2026-03-02", "2026-03-03", "2026-03-04"]     # to midnight: the end's day left out


def test_a_bleeding_day_without_sleep_gets_a_row_of_its_own_in_the_diary(tmp_path, capsys):
    """3 March had no sleep record: its row holds only ``menstruation`` (the first day of the
    period, which the model needs), is named in the warning, reads as a night not recorded,
    and is no tracker night (no device)."""
    records = [*NIGHTS, flow("2026-03-03T00:00+00:00", "2026-03-04T00:00+00:00", f"{FLOW}Heavy",
                             first=True),
               flow("2026-03-04T00:00+00:00", "2026-03-05T00:00+00:00", f"{FLOW}Light")]
    out = tmp_path / "diary.csv"
    assert main(["import", "apple", str(apple_xml(tmp_path / "export.xml", records)),
                 "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert ("2 day(s) of menstrual bleeding written menstruation = 1 (the model fits the days "
            "before a period and its first ones apart from magnesium's effect); 1 of them on a "
            "night without sleep, each given a row with only menstruation: 2026-03-03") in printed
    written = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("date")
    assert written.loc["2026-03-03"].to_dict() == {
        c: "1" if c == "menstruation" else "" for c in written.columns}
    assert written.loc["2026-03-04", ["menstruation", "device"]].tolist() == ["1", "apple health"]
    diary = read_diary(out)
    assert diary.nights.loc[pd.Timestamp("2026-03-03"), "menstruation"] == 1
    assert diary.nights.loc[pd.Timestamp("2026-03-03"), ["sol_min", "awakenings"]].isna().all()


def test_an_export_of_cycle_records_only_gives_their_days(tmp_path, capsys):
    """A person who keeps a diary by hand and their cycle in the Health app imports the days
    alone: no sleep is no "found none" refusal when a bleeding day is read."""
    out = tmp_path / "diary.csv"
    out.write_text("date,form,elemental_mg,sol_min\n2026-03-02,glycinate,200,25\n")
    export = apple_xml(tmp_path / "export.xml", [
        flow(f"2026-03-0{d}T00:00+01:00", f"2026-03-0{d + 1}T00:00+01:00", f"{FLOW}Medium")
        for d in (2, 3)])
    assert main(["import", "apple", str(export), "--out", str(out), "--quiet"]) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("date")
    assert written["menstruation"].to_dict() == {"2026-03-02": "1", "2026-03-03": "1"}
    assert written.loc["2026-03-02", ["form", "sol_min"]].tolist() == ["glycinate", "25"]


def test_no_bleeding_day_writes_no_column_and_one_does(tmp_path):
    """As ``day_sleep``: an export with no flow record, or only days of none, writes no
    ``menstruation`` column (a man's export gains nothing); one bleeding day writes it."""
    none = [flow("2026-03-09T00:00+00:00", "2026-03-10T00:00+00:00", f"{FLOW}None")]
    for records in (NIGHTS, NIGHTS + none):
        got, warnings = nights("apple", apple_xml(tmp_path / "export.xml", records))
        assert not any("menstruation" in values for values in got.values())
        assert not any("menstru" in w for w in warnings)
    bleeding = flow("2026-03-01T00:00+00:00", "2026-03-02T00:00+00:00", f"{FLOW}Unspecified")
    got, _ = nights("apple", apple_xml(tmp_path / "export.xml", [*NIGHTS, *none, bleeding]))
    assert got["2026-03-01"]["menstruation"] == "1" and got["2026-03-09"]["menstruation"] == "0"


def test_a_flow_record_that_does_not_read_is_left_out_with_a_word_and_the_sleep_kept(
        tmp_path: Path):
    """A value not known, a record of a month (no period's days) and an unknown zone: the
    sleep is imported, the good days read, and each said."""
    records = [*NIGHTS, flow("2026-03-01T00:00+00:00", "2026-03-02T00:00+00:00", f"{FLOW}Lots"),
               flow("2026-03-01T00:00+00:00", "2026-04-01T00:00+00:00", f"{FLOW}Heavy"),
               flow("2026-03-02T00:00+00:00", "2026-03-03T00:00+00:00", f"{FLOW}Heavy",
                    "Mars/Olympus")]
    got, warnings = nights("apple", apple_xml(tmp_path / "export.xml", records))
    assert [day for day, values in got.items() if values.get("menstruation") == "1"] == [
        "2026-03-02"]
    assert len(got) == 4
    said = "\n".join(warnings)
    assert f"menstrual-flow records of a value not known ('{FLOW}Lots')" in said
    assert "lasting over 14 days (no period's days)" in said
    assert ("1 menstrual-flow record(s) whose HKTimeZone no time zone database knows, read at "
            "the export's UTC offsets (the exporting phone's): 'Mars/Olympus'") in said


@pytest.mark.parametrize("exported_at", ["-04:00", "+00:00", "+09:00"])
def test_a_day_s_record_without_its_zone_keeps_its_day_wherever_it_was_exported(
        tmp_path, exported_at):
    """Berlin days (00:00 to 00:00 at +02:00) with no ``HKTimeZone``, exported in New York,
    London or Tokyo: in New York they began at 18:00 the day before and were dated a day
    early, beside sleep records dated right (an outside audit, /tmp/w56/m M3)."""
    days = [flow(on_phone(f"2026-09-{d}T00:00+02:00", exported_at),
                 on_phone(f"2026-09-{d + 1}T00:00+02:00", exported_at), f"{FLOW}Medium")
            for d in (11, 12, 13)]
    got, _ = nights("apple", apple_xml(tmp_path / "export.xml", days))
    assert [day for day, values in got.items() if values.get("menstruation") == "1"] == [
        "2026-09-11", "2026-09-12", "2026-09-13"]
