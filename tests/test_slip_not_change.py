"""A dose forgotten is no change of regimen in the diary's cautions (a traveller's audit,
/tmp/w55/t T11: a dose forgotten on a red-eye flight was "the change to no magnesium on
2026-10-03" beside a device caution; the decision reads it as a slip). Known answers on small
diaries."""

import datetime as dt

import pandas as pd
import pytest

from model.data.devices import device_switches
from model.data.diary import read_diary
from model.personal.separability import device_near_change, other_change_near, regimen_changes

START = dt.date(2026, 9, 1)


def _diary(forms: list[str], devices: list[str], other: dict[int, str] | None = None):
    """A diary of ``forms`` night by night (``""`` none), 200 mg each, on ``devices``."""
    n = len(forms)
    frame = pd.DataFrame({
        "date": [(START + dt.timedelta(days=i)).isoformat() for i in range(n)],
        "form": forms, "elemental_mg": ["200" if f else "" for f in forms],
        "sol_min": "25", "device": devices,
        "other_change": [(other or {}).get(i, "") for i in range(n)]})
    return read_diary(frame, warn=False)


FITBIT_THEN_OURA = ["fitbit"] * 21 + ["oura"] * 19


@pytest.mark.parametrize("forgotten", [(20,), (20, 21)])
def test_a_dose_forgotten_beside_a_device_change_is_no_change_of_regimen(forgotten):
    forms = ["" if i < 5 else "" if i in forgotten else "glycinate" for i in range(40)]
    diary = _diary(forms, FITBIT_THEN_OURA)
    assert [str(day.date()) for day in regimen_changes(diary)["start"]] == ["2026-09-06"]
    assert device_near_change(diary) == []
    assert other_change_near(_diary(forms, FITBIT_THEN_OURA, {21: "started melatonin"})) == []


def test_three_nights_off_and_a_new_form_are_changes_still():
    """Three nights off is more than a slip; a night off between two forms is a switch."""
    off = ["" if i < 5 or 19 <= i <= 21 else "glycinate" for i in range(40)]
    (reason,) = device_near_change(_diary(off, FITBIT_THEN_OURA))
    assert "the change to no magnesium on 2026-09-20" in reason
    new = ["" if i < 5 or i == 20 else "glycinate" if i < 20 else "taurate" for i in range(40)]
    (reason,) = device_near_change(_diary(new, FITBIT_THEN_OURA))
    assert "(fitbit to oura), 1 night(s) from the change to no magnesium on 2026-09-21" in reason
    assert len(regimen_changes(_diary(new, FITBIT_THEN_OURA))) == 3


def test_a_night_of_ratings_alone_is_no_device_between_two_tracker_runs():
    """The watch off for a night, its quality written by hand: no source measured what a
    source shifts (latency, awakenings), so no "(unnamed)" device came and went (outside
    audits, /tmp/w55/t T11, /tmp/w56/m M7); a night whose latency was written by hand is."""
    forms = ["" if i < 14 else "glycinate" for i in range(40)]
    devices = ["apple health"] * 40
    devices[13] = ""
    frame = _diary(forms, devices).nights
    rated = frame.assign(sol_min=frame["sol_min"].where(frame.index != frame.index[13]),
                         quality=4.0)
    assert device_switches(rated) == []
    (switch,) = device_switches(frame)
    assert (switch.before, switch.after) == ("apple health", "")
