"""Magnesium laxatives and antacids taken now and then, a second audit (/tmp/w52/d2).

G1: "milk of magnesia 30 mL every night as needed" was read as now and then, and a
70-year-old at eGFR 55 was told to start a supplement. G2, G4: a night marked ``exclude =
laxative`` that records the supplement lost its GI record, so citrate's own loose nights
escaped the acute GI rule. G3: following the rule (no supplement on a laxative night) was
"taken on and off". G5: "Start glycinate" led, the clinician question came below. G6: an
antacid was told of a laxative dose and of ``exclude = laxative``. G7: common laxative words.
G10: the rule's words say that a laxative night's sleep is left out too.
"""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.data.form_cells import unknown_form
from model.data.period_nights import names_laxative
from model.data.profile import Profile
from model.decision import history, screen
from model.decision.rules import acute_gi
from model.report.headline import _what
from tests.test_excluded_period import advise, excluded, stools
from tests.test_laxative_nights import OLD_MAN, S, _rule, without_supplement
from tests.test_no_baseline import on_magnesium

GLYCINATE = Regimen("glycinate", 200)


@pytest.mark.parametrize("entry", ["milk of magnesia 30 mL every night as needed",
                                   "milk of magnesia nightly as needed",
                                   "milk of magnesia daily, as needed"])
def test_an_entry_taken_every_day_is_daily_beside_as_needed(priors, entry):
    """Said to be taken every day, it is held as an unread daily entry, as without "as
    needed"; no "taken now and then"."""
    rules = screen(Profile(medications=[entry], **OLD_MAN), priors.safety)
    assert any(entry in hold for hold in rules.holds), rules.holds
    assert "taken now and then" not in _rule(priors, entry, **OLD_MAN)


def test_a_readable_daily_entry_beside_as_needed_is_counted(priors):
    rules = screen(Profile(medications=["magnesium citrate 150 mg each evening as needed"]),
                   priors.safety)
    assert rules.other_mg == 150 and rules.ceiling_mg == 200


def _loose_marked(on_supplement: bool) -> pd.DataFrame:
    """14 nights without magnesium, 14 on glycinate, the last two loose and marked laxative,
    with the supplement on them or not."""
    loose = stools(on_magnesium(n=14, baseline=14), range(26, 28))
    frame = loose if on_supplement else without_supplement(loose, range(26, 28))
    return excluded(frame, range(26, 28), "laxative")


def test_a_laxative_night_with_the_supplement_keeps_its_gi_record(priors):
    """Marked laxative but on glycinate: the loose nights count, the acute GI rule fires, and
    a warning names the nights and the rule. Without the supplement they are set aside."""
    diary = read_diary(_loose_marked(True))
    assert (diary.nights["stool_bristol"].to_numpy()[26:28] == 7).all()
    assert acute_gi(history(diary), S)
    assert "acute_gi" in advise(_loose_marked(True), priors).reason_codes
    said = [w for w in diary.warnings if "record the supplement" in w]
    assert len(said) == 1 and said[0].startswith(
        "<DataFrame>: 2 night(s) marked exclude = laxative record the supplement too "
        "(2026-09-27, 2026-09-28; columns form and exclude): their stool/GI record is kept"), said
    assert "no magnesium supplement on a day you take it" in said[0]
    assert not any("GI set aside" in w for w in diary.warnings)
    off = read_diary(_loose_marked(False))
    assert np.isnan(off.nights["stool_bristol"].to_numpy()[26:28]).all()
    assert not any("record the supplement" in w for w in off.warnings)


def test_following_the_rule_is_not_taken_on_and_off(priors):
    """Glycinate every night but two a week, those marked laxative without the supplement:
    not on and off. The same nights off unmarked are."""
    frame = on_magnesium(n=28, baseline=14)
    rows = [r for r in range(14, 42) if (r - 14) % 7 in (1, 4)]
    off = without_supplement(frame, rows)
    marked = excluded(off, rows, "took milk of magnesia")
    assert not history(read_diary(marked)).pattern.on_and_off(S)
    assert history(read_diary(off)).pattern.on_and_off(S)
    assert not [w for w in advise(marked, priors).warnings if "written nights from" in w]


def test_a_clinician_first_leads_the_advice_beside_a_laxative(priors):
    """At 70 and eGFR 55 with milk of magnesia as needed, advice to take magnesium says
    "First ask a clinician" right after the step; not at 40, nor for a stop."""
    frame = on_magnesium(n=14, baseline=14)
    result = SimpleNamespace(decision=SimpleNamespace(recommendation=advise(frame, priors)),
                             diary=read_diary(frame))
    old = screen(Profile(medications=["milk of magnesia as needed"], **OLD_MAN), priors.safety)
    young = screen(Profile(medications=["milk of magnesia as needed"], age=40), priors.safety)
    said = _what(result, old)
    assert result.decision.recommendation.regimen.active
    assert " First ask a clinician: at age 70 and with an eGFR of 55, a daily magnesium " \
        "supplement beside the magnesium laxative or antacid you take now and then" in said, said
    assert "First ask" not in _what(result, young)
    from model.decision.other_magnesium import ask_first_lead
    assert ask_first_lead(old.dose_rules, NO_MAGNESIUM) == ""
    assert ask_first_lead(old.dose_rules, GLYCINATE).startswith(" First ask a clinician")


@pytest.mark.parametrize("entry", ["Maalox as needed", "Rennie as needed", "Mylanta PRN"])
def test_an_antacid_is_no_laxative(priors, entry):
    """Its magnesium counted on its days, from the label; no laxative dose, no exclude."""
    said = _rule(priors, entry, age=40)
    assert "count its magnesium (a tablet's figure from its label) and take no more of the " \
        "supplement than it leaves of 350 mg a day" in said, said
    assert "laxative dose" not in said and "exclude = laxative" not in said
    laxative = _rule(priors, "milk of magnesia as needed", age=40)
    assert "laxative dose" in laxative and "write exclude = laxative in your diary on a night " \
        "you take it (its sleep is left out, and its stool record)" in laxative   # G10
    assert "exclude = laxative" not in unknown_form("Maalox")
    assert "exclude = laxative" in unknown_form("milk of magnesia")


def test_less_room_than_the_least_dose_is_no_supplement(priors):
    """150 mg twice a day as needed leaves 50 mg, below the least dose advised: none (G9)."""
    said = _rule(priors, "magnesium citrate 150 mg twice a day as needed", age=40)
    assert "gives 300 mg of magnesium, which leaves less than the least dose mgsleep advises " \
        "(100 mg): on a day you take it, take no magnesium supplement" in said, said
    assert "at most 50 mg" not in said


def test_more_words_of_a_laxative():
    said = ["MoM", "took MoM 30ml", "Miralax 17g", "docusate 100mg", "movicol x2", "Ex-Lax",
            "laxative at bedtime", "stool softener", "Colace", "laxative (MoM)",
            "epsom salts 2 tsp", "Fleet enema", "glycerin suppository", "laxative 9pm"]
    assert [t for t in said if not names_laxative(t)] == []
    assert not any(names_laxative(t) for t in ("visiting mom", "started senna daily"))


def test_a_reason_with_a_laxative_among_other_words_is_said():
    """``laxative and travel`` is not read as a laxative night: the warning says how to write
    it; ``visiting mom`` names none."""
    frame = on_magnesium(n=14, baseline=14).assign(exclude="")
    frame.loc[[20, 22], "exclude"] = ["laxative and travel", "visiting mom"]
    diary = read_diary(frame)
    said = [w for w in diary.warnings if "exclude names a laxative" in w]
    assert len(said) == 1 and "'laxative and travel'" in said[0], diary.warnings
    assert "write exclude = laxative on a night you took a laxative now and then" in said[0]
