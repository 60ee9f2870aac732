"""Nights whose notes name a flight or jet lag are named (a traveller's audit, /tmp/w55/t T1).

A consultant wrote "jet lag (Singapore)" and "overnight flight" on 33 of 84 nights and the tool
never read them: the trip inside glycinate's period was charged to glycinate, and the
difference put down to the expectation effect, drift or build-up.
"""

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from test_edge_words import onset

from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.data.night_levels import RawNights, raw_nights
from model.data.travel_nights import TRAVEL_WORDS, names_travel
from model.report.effect_words import effect_line

START = dt.date(2026, 9, 1)


@pytest.mark.parametrize("text", [
    "jet lag (Singapore)", "overnight flight", "red-eye to JFK", "Jetlagged", "flew back from NY",
    "long-haul, crew rest", "5 h time difference", "code A (plan 1a2b3c4d) jet lag",
    "still not over jet lag", "not over the jet lag yet", "jet lag, no time to unwind",
    "no jet lag this time but overnight flight", "fight-or-flight after the overnight flight",
    "travel", "business trip, hotel", "on the plane"])
def test_a_note_of_a_flight_or_jet_lag_names_travel(text):
    """/tmp/w55/t2 N3: a denial is read in its own clause, and "travel", "trip", "plane" are
    travel words."""
    from model.data.pot_notes import untagged

    assert names_travel(untagged(text))


@pytest.mark.parametrize("text", [
    "no jet lag now", "over the jet lag", "jet lag gone", "jet lag finally over",
    "fight or flight feeling", "felt fine", "flighty mood", "no flights this month",
    "flight of stairs at the new office", "woke with red eyes (hay fever)",
    "booked flights for Christmas", "late call across time zones",
    "flight cancelled, stayed home", "tripped on the stairs"])
def test_a_note_that_denies_it_or_means_something_else_does_not(text):
    assert not names_travel(text)


def _diary(tmp_path, notes: dict[int, str], exclude: dict[int, str] | None = None,
           days: int = 42):
    """No magnesium for 14 nights, then glycinate 200 mg; ``notes``/``exclude`` by night."""
    exclude = exclude or {}
    rows = pd.DataFrame({
        "date": [(START + dt.timedelta(days=t)).isoformat() for t in range(days)],
        "form": ["none"] * 14 + ["glycinate"] * (days - 14),
        "elemental_mg": [0] * 14 + [200] * (days - 14),
        "sol_min": [30 + (40 if t in notes else 0) + t % 5 for t in range(days)],
        "notes": [notes.get(t, "") for t in range(days)],
        "exclude": [exclude.get(t, "") for t in range(days)]})
    path = tmp_path / "diary.csv"
    rows.to_csv(path, index=False)
    return read_diary(path, today=START + dt.timedelta(days=days))


def test_the_travel_nights_kept_are_named_with_how_to_leave_them_out(tmp_path):
    trip = {t: "jet lag (Singapore)" for t in range(20, 30)}
    diary = _diary(tmp_path, trip, exclude={20: "travel", 21: "travel"})
    said = [w for w in diary.warnings if "name a flight or jet lag" in w]
    assert len(said) == 1, diary.warnings
    assert ": 8 night(s) whose notes name a flight or jet lag are read as any other night " \
        "(2026-09-23 to 2026-09-30: 2026-09-23, 2026-09-24, 2026-09-25, 2026-09-26 and more" \
        in said[0]
    assert said[0].endswith("to leave their sleep out of the comparison, write exclude = "
                            "travel on those whose sleep the trip upset")
    cut = _diary(tmp_path, trip, days=25)          # said of the nights analysed, once
    assert next(w for w in cut.warnings if "name a flight" in w).startswith(
        f"{cut.source}: 5 night(s)")
    assert not any("flight" in w for w in _diary(tmp_path, {}).warnings)


def test_a_regimens_share_of_travel_nights_is_said_above_its_lines(tmp_path):
    """Glycinate's period held the trip: its nights' share is named above its lines, whichever
    way they go (/tmp/w55/t2 T1: said only beside a line the nights contradicted, it was
    silent where the trip was charged to the form)."""
    from model.report.effect_words import nights_label

    diary = _diary(tmp_path, {t: "overnight flight" if t == 20 else "jet lag"
                              for t in range(20, 32)})
    raw = raw_nights(diary.nights, "sol_min", Regimen("glycinate", 200), 3)
    assert raw is not None and raw.unfitted == (
        f"{TRAVEL_WORDS} on 43 % of its nights, 0 % without",)
    for mean in (-20.0, 20.0):                      # the line agrees with the nights, or not
        effect = replace(onset(172.8, 11.5), mean=mean, raw=RawNights(
            155.25, 172.8, 11.5, unfitted=raw.unfitted))
        assert nights_label([effect]).endswith(
            f"; {TRAVEL_WORDS} on 43 % of its nights, 0 % without, which the model does not "
            "know of (exclude = travel leaves them out)")
        assert "travel" not in effect_line(effect)                   # said once, above
    home = raw_nights(_diary(tmp_path, {}).nights, "sol_min", Regimen("glycinate", 200), 3)
    assert home is not None and home.unfitted == ()
