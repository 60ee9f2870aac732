"""A medicine listed in the profile with the day it was started (an outside audit, /tmp/w42/J).

``medications = ["sertraline 50 mg since 2026-09-30"]`` was refused ("unknown medicine ...
give that name on its own") while ``"... until 2027-03-30"`` was accepted, and sertraline
listed changed nothing in the advice though its GP started it mid-trial. A start is read
from the entry (``since``, ``started``, ``from``), the medicine keeps all its safety rules,
and a start within the diary is another change in the person's life: a change made for a
gain or to learn waits one evaluation period (:mod:`model.decision.overrides`).
Known answers on toy posteriors (:class:`model.testing.FakePosterior`).
"""

import datetime as dt
import re

import pandas as pd
import pytest
from conftest import at_key

from model.core.errors import InputError
from model.data.profile import Profile, load_profile
from model.decision import History, decide
from model.decision.screening import screen
from model.testing import FakePosterior

FIRST = dt.date(2026, 9, 1)
TAURATE_PROMISING = FakePosterior(benefit={"glycinate": 0.05, "taurate": 0.4},
                                  known={"glycinate": 0.05})


def _profile(tmp_path, *entries: str) -> Profile:
    path = tmp_path / "profile.toml"
    path.write_text("age = 40\negfr = 90\nmedications = [\n"
                    + "".join(f'  "{entry}",\n' for entry in entries) + "]\n")
    return load_profile(path)


@pytest.mark.parametrize("word", ["since", "started", "started on", "from"])
def test_a_medicine_with_its_start_is_read_with_all_its_rules(tmp_path, word, priors):
    """The start is kept, the name matched as without it: levothyroxine keeps its timing
    warning, digoxin its clinician's hold."""
    profile = _profile(tmp_path, f"levothyroxine 100 mcg {word} 2026-09-30", "sertraline 50 mg")
    assert profile.medications == ("levothyroxine 100 mcg", "sertraline 50 mg")
    assert dict(profile.medication_starts) == {"levothyroxine 100 mcg": dt.date(2026, 9, 30)}
    plain = screen(Profile(medications=("levothyroxine 100 mcg",)), priors.safety)
    dated = screen(profile, priors.safety)
    spacing = [w for w in plain.warnings if w.startswith("levothyroxine")]
    assert spacing and set(spacing) <= set(dated.warnings)
    held = screen(_profile(tmp_path, f"digoxin {word} 2026-09-30"), priors.safety)
    assert held.holds == screen(Profile(medications=("digoxin",)), priors.safety).holds != ()


def test_an_end_stays_in_the_name_and_a_start_is_kept(tmp_path, priors):
    """``until`` and ``since`` are read alike (a wrong day of either is an error, below); an
    end stays in the name as written (a course the rules' words quote; a medicine listed is
    taken), and a course's end not written as a day stays accepted."""
    profile = _profile(tmp_path, "sertraline 50 mg since 2026-09-30 until 2027-03-30",
                       "ciprofloxacin 500 mg until 12/03/2027")
    assert profile.medications == ("sertraline 50 mg until 2027-03-30",
                                   "ciprofloxacin 500 mg until 12/03/2027")
    assert not screen(profile, priors.safety).unchecked
    assert dict(profile.medication_starts) == {"sertraline 50 mg until 2027-03-30":
                                         dt.date(2026, 9, 30)}


@pytest.mark.parametrize(("entry", "said"), [
    ("sertraline 50 mg since 2026-09-31", "2026-09-31: not a day of the calendar"),
    ("sertraline 50 mg from 30/09/2026", "from 30/09/2026: expected the day the medicine was "
                                         "started as YYYY-MM-DD"),
    ("sertraline 50 mg until 2027-02-30", "2027-02-30: not a day of the calendar")])
def test_a_wrong_day_is_an_error_naming_file_line_and_key(tmp_path, entry, said):
    with pytest.raises(InputError) as error:
        _profile(tmp_path, "levothyroxine", entry)
    text = str(error.value)
    assert re.match(at_key(tmp_path / "profile.toml", "medications[2]"), text), text
    assert ": line 5, key medications[2]: " in text and said in text, text


def _decide(start: dt.date, priors, other: dict[int, str] | None = None):
    """No magnesium 14 nights then glycinate 200 mg 30 nights from FIRST; sertraline listed
    with its ``start``; other_change written in the diary by night (``other``)."""
    rows = [("none", 0.0)] * 14 + [("glycinate", 200.0)] * 30
    dates = pd.date_range(FIRST, periods=len(rows), freq="D", name="date")
    nights = pd.DataFrame({"form": [f for f, _ in rows], "elemental_mg": [m for _, m in rows],
                           "split": False, "recorded": True, "gi_night": 0.0,
                           "other_change": [(other or {}).get(i, "") for i in range(len(rows))]},
                          index=dates)
    profile = Profile(age=40, egfr=90, medications=("sertraline 50 mg",),
                      medication_starts={"sertraline 50 mg": start})
    return decide(TAURATE_PROMISING, priors=priors, profile=profile,
                  diary=History.from_nights(nights), as_of=dates[-1].date()).recommendation


def test_a_switch_to_learn_waits_after_a_profile_medicine_started_in_the_diary(priors):
    """Sertraline started 3 nights before the last: held (keep glycinate), its start said;
    started before the diary's first night, or 30 nights ago, the switch is made."""
    start = FIRST + dt.timedelta(days=41)
    held = _decide(start, priors)
    assert held.action == "collect_more_data" and held.reason_codes[0] == "other_change", held
    assert held.regimen is not None and held.regimen.form == "glycinate"
    assert held.reasons[0].startswith(f"You changed something else on {start.isoformat()} "
                                      "(started sertraline 50 mg (profile)): "), held.reasons
    for free in (FIRST - dt.timedelta(days=100), FIRST, FIRST + dt.timedelta(days=13)):
        rec = _decide(free, priors)
        assert rec.action == "switch_form" and rec.regimen.form == "taurate", (free, rec)
        assert "other_change" not in rec.reason_codes


def test_the_later_of_the_diary_and_the_profile_is_the_other_change(priors):
    """The diary's change after the medicine's start is the one said, and before it not."""
    start = FIRST + dt.timedelta(days=38)
    later = _decide(start, priors, {41: "started CBT-I"})
    assert "(started CBT-I)" in later.reasons[0], later.reasons
    earlier = _decide(start, priors, {35: "started CBT-I"})
    assert "(started sertraline 50 mg (profile))" in earlier.reasons[0], earlier.reasons


def test_medication_starts_is_no_key_of_a_profile_file(tmp_path):
    """Written as a key, its names went unchecked against the safety data."""
    path = tmp_path / "profile.toml"
    path.write_text('medications = ["sertraline"]\n\n[medication_starts]\nwarfarin = 2026-09-30\n')
    with pytest.raises(InputError, match="unknown key 'medication_starts'"):
        load_profile(path)


def test_a_profile_with_a_medicine_start_is_hashable_as_any_profile():
    """A dict of starts made the frozen profile unhashable (cached decisions broke)."""
    one = Profile(medications=("sertraline 50 mg",),
                  medication_starts={"sertraline 50 mg": dt.date(2026, 9, 30)})
    other = Profile(medications=("sertraline 50 mg",),
                    medication_starts=(("sertraline 50 mg", dt.date(2026, 9, 30)),))
    assert hash(one) == hash(other) and one == other
