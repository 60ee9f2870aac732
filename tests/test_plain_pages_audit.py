"""A plain-language editor's audit (/tmp/w46/D, C3, C5, C6, C9): each test failed before its fix.

C5. "Since your last analysis": "the advice changed: from continue citrate 300 mg to continue
    (before the look-again date of 2026-12-16: see why below)" beside "Stay without magnesium
    for now", whose Why named no change; and "look again on 2026-03-29" months after it.
C6. The separability caution was 85 words with its point and action, if any, last.
C9. The clinician page told the clinician "Your evening anxiety was 8 or more ... talk to
    your clinician or prescriber soon".
C3. The clinician page said "Next review" where every other output says "Look again".
"""

import dataclasses
import datetime as dt
import html
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.analysis.since_last import LastResult, SinceLast
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.personal.separability import separability
from model.personal.withdrawal import off_nights_needed
from model.report.clinician import anxious_week, render_clinician
from model.testing import example_analysis

DAY = dt.date(2026, 12, 6)
CITRATE = Regimen("citrate", 300)


def last(**changes) -> LastResult:
    """An analysis of ``DAY`` keeping citrate 300 mg until 2026-12-16, with ``changes``."""
    fields = {"analysed_on": DAY, "as_of": DAY - dt.timedelta(days=11), "action": "continue",
              "regimen": CITRATE, "next_review": dt.date(2026, 12, 16), "period_nights": 19,
              "verdicts": ()}
    return LastResult(**(fields | changes))


# --- C5: the advice's words, why it changed early, a look-again date passed --------------------
def test_a_change_to_no_magnesium_says_stay_without_it_and_why_it_came_early():
    now = last(as_of=DAY - dt.timedelta(days=1), regimen=NO_MAGNESIUM,
               next_review=dt.date(2026, 12, 19))
    words = SinceLast(last(), now, holds=True).words()
    assert ("the advice changed: from continue citrate 300 mg to stay without magnesium for "
            "now (before the look-again date of 2026-12-16: your latest nights are without "
            "magnesium, not on citrate 300 mg).") in words
    assert "see why below" not in words
    same = SinceLast(now, dataclasses.replace(now, analysed_on=DAY + dt.timedelta(days=1)),
                     holds=True).words()
    assert same.endswith("same advice, nothing changed: stay without magnesium for now and "
                         "change nothing until 2026-12-19.")


def test_a_change_the_diary_does_not_explain_points_to_the_why():
    refer = last(as_of=DAY - dt.timedelta(days=1), action="refer", regimen=None,
                 next_review=None)
    assert ("from continue citrate 300 mg to see a clinician (before the look-again date of "
            "2026-12-16: the reason is given under Why)") in SinceLast(last(), refer,
                                                                      holds=False).words()


@pytest.mark.parametrize("holds", [True, False])
def test_a_look_again_date_already_passed_is_said_to_have_passed(holds):
    march = last(analysed_on=DAY, as_of=dt.date(2026, 3, 21), regimen=Regimen("glycinate", 300),
                 next_review=dt.date(2026, 3, 29))
    words = SinceLast(march, march, holds=holds).words()
    assert words.endswith("same advice, nothing changed: keep taking glycinate 300 mg; the "
                          "look-again date, 2026-03-29, has passed: log your nights since then "
                          "and analyse again.")
    assert "look again on 2026-03-29" not in words and "until 2026-03-29" not in words


# --- C6: the separability caution leads with the point and the action ---------------------------
def test_the_no_withdrawal_caution_says_the_point_and_what_to_do_first(tmp_path):
    days = pd.date_range("2026-01-01", periods=40).strftime("%Y-%m-%d")
    form = ["none"] * 10 + ["glycinate"] * 30                    # a before/after diary
    path = tmp_path / "d.csv"
    pd.DataFrame({"date": days, "form": form,
                  "elemental_mg": [0 if f == "none" else 200 for f in form],
                  "sol_min": 30.0, "quality": 3.0}).to_csv(path, index=False)
    draws = {"tau": np.full(400, 20.0)}
    said = separability(read_diary(path), draws).reasons[0]
    first = said.split(". ")[0]
    assert off_nights_needed(draws) == 14
    assert first == ("your diary cannot yet tell magnesium's effect from expectation or chance: "
                     "that takes a break of 14 or more nights without magnesium, written every "
                     "night (the advice proposes one when it pays), or a placebo period: mgsleep "
                     "plan --blind")
    assert said.index("mgsleep plan --blind") < said.index("no withdrawal (")
    assert len(first.split()) <= 40


# --- C9, C3: the clinician page reports what the patient was told -------------------------------
def _anxious(nights: pd.DataFrame, hard: int) -> pd.DataFrame:
    anxiety = [4.0] * (len(nights) - 7) + [9.0] * hard + [4.0] * (7 - hard)
    return nights.assign(anxiety=anxiety)


def test_the_anxious_weeks_prompt_is_reported_in_the_third_person():
    nights = _anxious(pd.DataFrame({"sol_min": [30.0] * 20}), 4)
    assert anxious_week(SimpleNamespace(diary=SimpleNamespace(nights=nights))) == [
        "Evening anxiety 8 or more on 4 of the last 7 nights (7 with it recorded); the patient "
        "was advised to contact you soon (magnesium is no treatment for severe anxiety or "
        "panic), and in a crisis their local emergency number."]
    calm = _anxious(nights, 2)                      # the patient was told nothing: nor is this
    assert anxious_week(SimpleNamespace(diary=SimpleNamespace(nights=calm))) == []


@pytest.mark.fit
def test_the_clinician_page_speaks_of_the_patient_and_says_look_again():
    analysis = example_analysis()
    diary = dataclasses.replace(analysis.diary, nights=_anxious(analysis.diary.nights, 5))
    page = html.unescape(render_clinician(dataclasses.replace(analysis, diary=diary)))
    recommendation = page.split("<h2>Recommendation</h2>")[1].split("<h2>")[0]
    assert "Your evening anxiety" not in page and "talk to your clinician" not in page
    assert "Evening anxiety 8 or more on 5 of the last 7 nights" in recommendation
    assert "the patient was advised to contact you soon" in recommendation
    assert "Next review" not in page and " Look again: " in recommendation
    assert "(As worded for the patient: you, your = the patient.) Why: " in recommendation
