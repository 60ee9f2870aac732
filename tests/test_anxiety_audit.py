"""A person whose main concern is anxiety (2026-12-05 audit): each test failed before its fix.

1. The morning's note asked for anxiety only "if you can", after three sleep outcomes that
   counted half or nothing for them; the scale's worse end was never said.
2. Every weight 0 was accepted, and the advice still said "Start glycinate ... to learn".
3. A week of panic attacks (anxiety 9-10) got "Switch to taurate ... to learn", and no word
   of a clinician.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.core.errors import InputError
from model.data.profile import COMPLAINT_WEIGHTS, load_profile
from model.report.diary_words import hard_week, record_line


def test_the_morning_note_asks_first_for_what_the_person_weighs():
    anxious = record_line(COMPLAINT_WEIGHTS["anxiety"])
    assert anxious.startswith("Write down every morning: what you took (form and mg), evening "
                              "anxiety (0 none to 10 the worst), sleep quality (1 very poor to "
                              "5 very good), stool form (Bristol 1-7) or an upset stomach, and "
                              "if you can minutes to fall asleep")
    only = record_line({"sol": 0, "awakenings": 0, "quality": 0, "freshness": 0, "anxiety": 1})
    assert only.index("evening anxiety") < only.index("if you can")
    sleeper = record_line(COMPLAINT_WEIGHTS["sleep_onset"])
    assert sleeper.index("minutes to fall asleep") < sleeper.index("if you can") \
        < sleeper.index("evening anxiety")
    assert sleeper.index("stool form") < sleeper.index("if you can")   # the GI rule reads it
    half = record_line({"sol": 0, "awakenings": 0, "quality": 0, "freshness": 0, "anxiety": 0.5})
    assert half.index("evening anxiety") < half.index("if you can")     # weights are relative
    assert record_line({o: 3.0 for o in ("sol", "awakenings", "quality", "freshness",
                                         "anxiety")}).endswith("and stool form (Bristol 1-7) "
                                                               "or an upset stomach.")


def test_a_profile_whose_every_weight_is_0_is_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[weights]\nsol = 0\nawakenings = 0\nquality = 0\nfreshness = 0\n"
                    "anxiety = 0\n")
    with pytest.raises(InputError, match="every outcome's weight is 0"):
        load_profile(path)
    path.write_text("[weights]\nsol = 0\nawakenings = 0\nquality = 0\nfreshness = 0\n")
    assert load_profile(path).outcome_weights()["anxiety"] > 0   # a default still counts


def test_a_week_of_very_high_anxiety_says_see_a_clinician_first():
    nights = pd.DataFrame({"anxiety": [4.0] * 20 + [9, 10, np.nan, 9, 5, 10, 9]})
    said = hard_week(nights)
    assert said.startswith("Your evening anxiety was 8 or more on 5 of the last 7 nights (6 "
                           "with it recorded): magnesium is no treatment for severe anxiety")
    assert "talk to your clinician or prescriber soon" in said
    calmer = pd.DataFrame({"anxiety": [4.0] * 20 + [9, 10, 5, 5, 9, 4, 4]})
    assert hard_week(calmer) == "" and hard_week(pd.DataFrame({"sol_min": [20.0]})) == ""
    months_ago = pd.DataFrame({"anxiety": [9.0, 10, 9, 9] + [np.nan] * 60})   # a review
    assert hard_week(months_ago) == ""


def test_a_safety_rules_stop_comes_before_the_anxious_weeks_prompt(tmp_path, capsys):
    """A clinic's audit: "A change started in such a week is hard to judge ..." came first,
    the contraindication's "Stop taking magnesium now" last in the headline."""
    from model.cli.main import main

    diary, profile = tmp_path / "d.csv", tmp_path / "me.toml"
    diary.write_text("date,form,elemental_mg,sol_min,quality,anxiety\n" + "".join(
        f"2024-03-0{d},citrate,300,30,3,9\n" for d in range(1, 10)))
    profile.write_text('age = 50\negfr = 80\nconditions = ["myasthenia gravis"]\n')
    # a referral stands whatever the fit of 9 nights (1: its checks failed, told apart)
    assert main(["analyze", str(diary), "--profile", str(profile), "--seed", "1"]) in (0, 1)
    line = next(x for x in capsys.readouterr().out.splitlines()
                if x.startswith("Recommendation:"))
    assert line.startswith("Recommendation: Stop taking magnesium now and see a clinician. "
                           "Seek urgent care for weakness that gets worse")
    assert ". Also: your evening anxiety was 8 or more" in line
    assert "hard to judge" not in line
