"""GI trouble on a regimen is over once it was taken for long without it, and said as written.

An outside audit (/tmp/w50/b F-4): two upset-stomach nights six days apart in September, on a
regimen then taken for two more months without a GI night (stool form 3-5 every night, never
loose), marked taurate 300 mg "it gave you loose stools" for ever; after a break of the
person's own, a return to it (P 0.9995 better than staying off) waited for the period while
threonate 300 mg was advised.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.decision import DecisionSettings, History, decide
from model.decision.gi_facts import TROUBLE_OVER_NIGHTS, gi_troubled_regimens
from model.decision.history import history
from model.decision.rule_words import waiting_block
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

T300 = Regimen("taurate", 300)
UPSET, LOOSE, CLEAN = (4, 1), (7, 0), (4, 0)       # (stool_bristol, gi_upset) of a night
FIXED = DecisionSettings(period_from_kinetics=False)  # a period of min_nights, 14


def diary_history(tmp_path: Path, nights: list[tuple[str, tuple[int, int] | None]]) -> History:
    """The history of a diary of ``(form, GI record)`` nights: taurate 300 mg or none ("").

    A GI record None leaves stool_bristol and gi_upset blank (no record that night).
    """
    start = dt.date(2026, 5, 1)
    rows = ["date,form,elemental_mg,sol_min,stool_bristol,gi_upset"]
    for k, (form, gi) in enumerate(nights):
        stool, upset = gi if gi is not None else ("", "")
        rows.append(f"{start + dt.timedelta(days=k)},{form},{300 if form else ''},20,"
                    f"{stool},{upset}")
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    return history(read_diary(tmp_path / "d.csv"))


def on_taurate(*records: tuple[int, int] | None) -> list[tuple[str, tuple[int, int] | None]]:
    return [("taurate", r) for r in records]


BASELINE = [("", CLEAN)] * 14
CLUSTER = on_taurate(UPSET, *[CLEAN] * 5, UPSET)      # two upset stomachs six days apart


def test_the_audits_cluster_months_ago_is_over(tmp_path):
    # one upset stomach in June, two in September, then two months without one, then a break
    nights = (BASELINE + on_taurate(*[CLEAN] * 30, UPSET, *[CLEAN] * 60) + CLUSTER
              + on_taurate(*[CLEAN] * 55) + [("", CLEAN)] * 22)
    past = diary_history(tmp_path, nights)
    assert past.current == NO_MAGNESIUM and past.nights_of(T300) > 140
    assert not past.gi_troubled and not past.gi_trouble_words


def test_a_recent_cluster_still_counts(tmp_path):
    recent = diary_history(tmp_path, BASELINE + on_taurate(*[CLEAN] * 40) + CLUSTER
                           + on_taurate(*[CLEAN] * 10) + [("", CLEAN)] * 8)
    assert recent.gi_troubled == {T300}
    assert recent.gi_trouble_words == {T300: "an upset stomach"}


def test_trouble_is_over_after_exactly_the_stated_run():
    regimens = [T300] * 60
    stools = np.zeros(60)
    stools[[10, 12]] = 1                               # a cluster on nights 10 and 12
    loose = stools == 1
    short = stools[:13 + TROUBLE_OVER_NIGHTS - 1]
    assert gi_troubled_regimens(regimens[:len(short)], short, loose[:len(short)], 7, 2) \
        == {T300: "loose stools"}
    full = stools[:13 + TROUBLE_OVER_NIGHTS]
    assert gi_troubled_regimens(regimens[:len(full)], full, loose[:len(full)], 7, 2) == {}


def test_nights_without_a_record_do_not_end_the_trouble():
    # 40 nights on it with no stool or upset-stomach record say nothing of the stomach
    gi = np.r_[np.zeros(10), 1, 0, 1, np.full(40, np.nan)]
    regimens = [T300] * len(gi)
    assert T300 in gi_troubled_regimens(regimens, gi, gi == 1, 7, 2)
    # nor do nights on another regimen, which neither count nor end the run
    other = [T300] * 13 + [NO_MAGNESIUM] * 20 + [T300] * (TROUBLE_OVER_NIGHTS - 1)
    gi = np.r_[np.zeros(10), 1, 0, 1, np.zeros(20 + TROUBLE_OVER_NIGHTS - 1)]
    assert T300 in gi_troubled_regimens(other, gi, gi == 1, 7, 2)
    longer = np.r_[gi, 0]                              # the 28th clean night on it
    assert not gi_troubled_regimens([*other, T300], longer, longer == 1, 7, 2)


def test_a_gi_night_within_the_run_starts_it_again():
    run = TROUBLE_OVER_NIGHTS - 2
    gi = np.r_[np.zeros(10), 1, 0, 1, np.zeros(run), 1, np.zeros(run)]
    assert T300 in gi_troubled_regimens([T300] * len(gi), gi, gi == 1, 7, 2)


@pytest.mark.parametrize(("records", "said"), [
    ((UPSET, CLEAN, UPSET), "an upset stomach"),
    ((LOOSE, CLEAN, LOOSE), "loose stools"),
    (((7, 1), CLEAN, LOOSE), "loose stools"),      # loose and upset: loose stools were written
    ((UPSET, CLEAN, LOOSE), "stomach trouble"),
])
def test_the_words_say_what_the_diary_recorded(tmp_path, records, said):
    past = diary_history(tmp_path, BASELINE + on_taurate(*[CLEAN] * 20, *records, CLEAN)
                         + [("", CLEAN)] * 5)
    assert past.gi_trouble_words == {T300: said}
    judged = History(NO_MAGNESIUM, 5, frozenset({"taurate"}), 0, {T300: 24, NO_MAGNESIUM: 19},
                     gi_troubled=past.gi_troubled, gi_trouble_words=past.gi_trouble_words)
    assert waiting_block(judged, FIXED, troubled=(T300,)).endswith(
        f"; a return to taurate 300 mg waits too: you had {said} on it")


def test_after_a_break_the_return_to_a_regimen_whose_trouble_is_over_does_not_wait(tmp_path):
    # the audit's shape: the return was held back by the September cluster, and a third form
    # advised instead
    priors = load_priors()
    model = FakePosterior(n_draws=1000, benefit={"taurate": 0.5}, gi={"taurate": 0.0},
                          benefit_sd=0.05)
    old = diary_history(tmp_path, BASELINE + on_taurate(*[CLEAN] * 30) + CLUSTER
                        + on_taurate(*[CLEAN] * 60) + [("", CLEAN)] * 8)
    assert old.current == NO_MAGNESIUM and old.nights_on_current == 8 < FIXED.min_nights
    back = next(a for a in decide(model, priors=priors, diary=old, as_of=old.last_night,
                                  settings=FIXED).assessments if a.regimen == T300)
    assert back.feasible and "waiting" not in back.reason_codes
    recent = diary_history(tmp_path, BASELINE + on_taurate(*[CLEAN] * 80) + CLUSTER
                           + on_taurate(*[CLEAN] * 10) + [("", CLEAN)] * 8)
    held = next(a for a in decide(model, priors=priors, diary=recent,
                                  as_of=recent.last_night, settings=FIXED).assessments
                if a.regimen == T300)
    assert not held.feasible and any(b.endswith("waits too: you had an upset stomach on it")
                                     for b in held.blocked_by)
