"""A dose typed from a label: the compound's weight as elemental, split doses, a range message.

A supplement-label reader's audit (/tmp/w47/C):

F2. ``elemental_mg`` 1000 of glycinate (the label's "Magnesium Glycinate 1000 mg (providing
    140 mg elemental)") was warned of, then advised "Lower the dose to glycinate, 350 mg": a
    2.5-fold raise for the 141 mg taken; ``log --mg 1000`` went in while ``--mg 2`` was
    refused.
F4. ``log --mg 70`` morning and evening said "unchanged (it already has these values)", and
    ``--split 1`` left 70 mg a day in two intakes for 140 mg taken.
F8. ``elemental_mg``'s range said "from 0 to 2000" where the README says 1-2000.

The decision's tests use toy posteriors (:class:`model.testing.FakePosterior`).
"""

import datetime as dt
import io
import sys

import numpy as np
import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import InputError
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.decision import History, decide
from model.decision.compound_ceiling import compound_question, compound_weight_to_check
from model.decision.overrides import dose_to_check
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def _on(form: str, mg: float) -> History:
    """14 nights without magnesium, then 30 of ``form`` at ``mg`` a day, sleep recorded."""
    rows = [("none", 0.0)] * 14 + [(form, mg)] * 30
    return History.from_nights(pd.DataFrame({
        "form": [f for f, _ in rows], "elemental_mg": [m for _, m in rows], "split": False,
        "recorded": True, "gi_night": 0.0, "sol_min": 30.0, "quality": 3.0,
        **{c: np.nan for c in ("awakenings", "freshness", "anxiety")}}))


# --- F2: which doses are read as a compound's weight to check ---------------------------------

@pytest.mark.parametrize(("form", "mg", "read"), [
    ("glycinate", 1000, 141),     # 14.1 %: the audit's label
    ("glycinate", 2000, 282),
    ("chloride", 1000, 120),      # read as the hexahydrate; 255 mg anhydrous, under 350 too
    ("oxide", 500, 302),          # "Magnesium oxide 500 mg"
])
def test_a_dose_above_the_ceiling_within_it_as_its_compound_is_one_to_check(form, mg, read):
    dose = compound_weight_to_check(Regimen(form, mg))
    assert dose is not None and dose.read_mg == read and dose.most_mg <= 350
    assert dose_to_check(Regimen(form, mg))


@pytest.mark.parametrize(("form", "mg"), [
    ("oxide", 600),        # 362 mg as magnesium oxide: above the ceiling either way
    ("chloride", 1500),    # 179 mg as the hexahydrate, but 383 mg anhydrous: the safe side
    ("glycinate", 350),    # at the ceiling: taken as written
    ("glycinate", 300),
])
def test_a_dose_above_the_ceiling_either_way_or_under_it_is_taken_as_written(form, mg):
    assert compound_weight_to_check(Regimen(form, mg)) is None
    assert not dose_to_check(Regimen(form, mg))


def test_the_question_names_the_compound_reading_and_where_to_write_it():
    said = compound_question(Regimen("glycinate", 1000), "--compound-mg", "--mg")
    assert said is not None
    assert "above the safety ceiling of 350 mg" in said
    assert '"Magnesium glycinate 1000 mg": 141 mg elemental' in said
    assert "give 1000 as --compound-mg instead" in said
    assert compound_question(Regimen("oxide", 600)) is None


# --- F2: the decision holds every dose step until the dose is known ---------------------------

@pytest.mark.parametrize("posterior", [FakePosterior(),
                                       FakePosterior(benefit={"glycinate": 0.5},
                                                     known={"glycinate": 0.05})])
def test_a_compound_weight_as_elemental_gets_no_dose_advice(priors, posterior):
    """Before: "Lower the dose to glycinate, 350 mg" (2.5 times the 141 mg taken). Now no
    dose is named, the question comes first, the ceiling is said, nothing is committed."""
    rec = decide(posterior, priors=priors, diary=_on("glycinate", 1000),
                 as_of=AS_OF).recommendation
    assert rec.action == "collect_more_data" and rec.regimen is None and not rec.commit
    assert "dose_check" in rec.reason_codes
    assert rec.reasons[0].startswith("Check your diary's dose: 1000 mg of elemental magnesium")
    assert "141 mg elemental" in rec.reasons[0]
    assert "no more than your ceiling of 350 mg" in rec.reasons[0]
    assert not any("Lower the dose" in r or "Keep glycinate 1000" in r for r in rec.reasons)


def test_a_compound_weight_to_check_is_still_stopped_for_harm(priors):
    """Safety acts on any dose: nights that show harm stop it, the question said first."""
    rec = decide(FakePosterior(benefit={"glycinate": -1.0}, known={"glycinate": 0.05}),
                 priors=priors, diary=_on("glycinate", 1000), as_of=AS_OF).recommendation
    assert rec.action == "stop" and {"harm", "dose_check"} <= set(rec.reason_codes)
    assert rec.reasons[0].startswith("Check your diary's dose")


def test_a_real_overdose_keeps_the_ceilings_safety_step(priors):
    """Oxide 600 mg is above the ceiling as elemental and as its compound (362 mg): the dose
    comes down whichever it is, as before."""
    rec = decide(FakePosterior(), priors=priors, diary=_on("oxide", 600),
                 as_of=AS_OF).recommendation
    assert "dose_check" not in rec.reason_codes
    assert rec.action in ("decrease_dose", "stop") and "current_above_ceiling" in rec.reason_codes
    assert rec.regimen is None or rec.regimen.elemental_mg <= 350


# --- F2: log asks before a compound's weight goes in as elemental ----------------------------

HEADER = "date,form,elemental_mg,split,sol_min"


@pytest.fixture
def diary(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text(HEADER + "\n" + "".join(f"2026-10-{d:02d},glycinate,200,0,30\n"
                                            for d in range(1, 21)))
    return path


def test_log_refuses_a_compound_weight_as_elemental_unless_confirmed(diary, capsys):
    before = diary.read_text()
    night = ["log", str(diary), "--date", "2026-10-21", "--form", "glycinate", "--sol", "30"]
    assert main([*night, "--mg", "1000"]) == 2
    err = capsys.readouterr().err
    assert "--mg: 1000 mg of elemental magnesium a day is above the safety ceiling" in err
    assert "141 mg elemental" in err and "give 1000 as --compound-mg instead" in err
    assert "if 1000 mg of elemental magnesium is right, add --large-dose" in err
    assert diary.read_text() == before
    with pytest.warns(UserWarning, match="above the safety ceiling"):   # still warned of
        assert main([*night, "--mg", "1000", "--large-dose"]) == 0
    assert main([*night[:3], "2026-10-22", *night[4:], "--compound-mg", "1000"]) == 0
    assert diary.read_text().splitlines()[-1].startswith("2026-10-22,glycinate,,")


def test_log_takes_an_overdose_either_way_with_its_warning(diary):
    with pytest.warns(UserWarning, match="600 mg of elemental magnesium a day is above the "
                      "safety ceiling"):
        assert main(["log", str(diary), "--date", "2026-10-21", "--form", "oxide", "--mg",
                     "600", "--sol", "30"]) == 0


def test_asked_a_compound_weight_is_asked_again_and_kept_when_typed_again(diary, monkeypatch,
                                                                         capsys):
    answers = ["2026-10-21", "", "1000", "1000", ""] + [""] * 12
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    with pytest.warns(UserWarning, match="above the safety ceiling"):   # kept, warned of
        assert main(["log", str(diary), "--interactive"]) == 0
    assert "141 mg elemental" in capsys.readouterr().out
    assert diary.read_text().splitlines()[-1].startswith("2026-10-21,glycinate,1000,")


# --- F4: the dose is the day's total -----------------------------------------------------------

def test_a_second_intake_logged_as_the_first_says_to_give_the_total(diary, capsys):
    night = ["log", str(diary), "--date", "2026-10-21"]
    assert main([*night, "--form", "glycinate", "--mg", "70"]) == 0
    capsys.readouterr()
    assert main([*night, "--form", "glycinate", "--mg", "70"]) == 0
    out = capsys.readouterr().out
    assert "unchanged (it already has these values); elemental_mg is the day's total" in out
    assert "--mg 140 --split 1 --replace" in out
    assert main([*night, "--split", "1"]) == 0
    out = capsys.readouterr().out
    assert "elemental_mg 70 is the day's total, now in two intakes of 35 mg" in out
    assert "--mg 140 --split 1 --replace" in out
    assert main([*night, "--mg", "140", "--split", "1", "--replace"]) == 0
    assert "day's total" not in capsys.readouterr().out      # the total given: nothing to say
    assert diary.read_text().splitlines()[-1] == "2026-10-21,glycinate,140,1,"


def test_a_night_given_again_without_a_dose_says_nothing_of_totals(diary, capsys):
    assert main(["log", str(diary), "--date", "2026-10-20", "--sol", "30"]) == 0
    assert "day's total" not in capsys.readouterr().out


# --- F8: the range says what 0 is --------------------------------------------------------------

def test_the_dose_range_says_0_is_none_and_a_form_takes_at_least_1_mg(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text(HEADER + "\n2026-10-01,glycinate,2500,0,30\n2026-10-02,,0,0,30\n")
    with pytest.raises(InputError) as error:
        read_diary(path)
    said = str(error.value)
    assert "row 1, column elemental_mg: expected a number from 0 to 2000 (mg of elemental " \
        "magnesium: 0 for none, at least 1 with a form), got '2500'" in said
    assert "row 2" not in said          # 0 without a form: a night without magnesium
