"""A commitment's words at a low P(best), and the look-again date's reason (/tmp/w51/a F7, F9).

F7: "Settled among the forms and doses tried" at P(best) 0.14 with 2 of 3 prior checks
disagreeing, and "Sure enough to settle on this" at P(best) 0.38 among 17 options: a
commitment there means more trying is not expected to change the choice, not a sure answer.
F9: "the look-again date moved from 2026-06-22 to 2026-07-07 (the build-up is estimated
faster: a period of 16 nights, was 17)": the date came, and the next period began; and "same
advice" where a step became a commitment.

No fit: hand-built recommendations and records.
"""

from __future__ import annotations

import datetime as dt

import pytest

from model.analysis.sensitivity import Sensitivity
from model.analysis.since_last import LastResult, SinceLast, keep_last, read_last, record_path
from model.core.regimen import Regimen
from model.decision.results import Recommendation, Scores
from model.decision.settings import DecisionSettings
from model.report.how_sure import how_sure, prior_caveat

TAURATE = Regimen("taurate", 200)
SURE = DecisionSettings.commit_p_best


def _commitment(p_best: float, *codes: str) -> Recommendation:
    scores = Scores({}, 0.0, p_best, 0.0, 0.0, 0.0, 0.0)
    return Recommendation("continue", TAURATE, scores, True, dt.date(2026, 7, 7), (), (),
                          ("commit", *codes))


@pytest.mark.parametrize("codes", [(), ("expectation_not_separable",)])
def test_a_commitment_at_a_low_p_best_is_not_said_sure_or_settled(codes):
    said = how_sure(_commitment(0.14, *codes))
    assert said.startswith("not sure, though more trying")
    assert "not expected to change the choice" in said
    assert "best in only 14% of the model's scenarios" in said
    assert "sure enough" not in said and not said.startswith("settled")
    assert "settled among" not in said
    # the diary that cannot separate still says what would settle the rest
    assert ("mgsleep plan --blind" in said) == bool(codes)


def test_the_line_between_sure_and_not_is_the_decisions_own_p_best():
    assert how_sure(_commitment(SURE)).startswith("sure enough to settle on this: best in 80%")
    assert how_sure(_commitment(SURE - 0.01)).startswith("not sure, though more trying")
    unsure = how_sure(_commitment(SURE - 0.01, "expectation_not_separable"))
    assert unsure.startswith("not sure, though more trying among the forms and doses tried")
    assert how_sure(_commitment(0.9, "expectation_not_separable")).startswith(
        "settled among the forms and doses tried (best in 90% of the model's scenarios)")


def test_a_low_p_best_says_among_how_many_options_when_told():
    said = how_sure(_commitment(0.38), options=17)
    assert ("best in only 38% of the model's scenarios (among the 17 options allowed now), so "
            "another option may well be as good.") in said


def test_the_prior_caveat_of_an_unsure_commitment_does_not_say_it_settles():
    other = [Sensitivity("sceptical", "continue", None, None, True, "psis"),
             Sensitivity("confident", "switch_form", "glycinate", 200.0, False, "psis"),
             Sensitivity("expectation", "stop", None, None, False, "refit")]
    low = prior_caveat(_commitment(0.14, "expectation_not_separable"), other)
    assert low.startswith(" Under 2 of the 3 other priors checked (confident, expectation) the "
                          "step differs")
    assert "what keeps it rests partly on the published evidence" in low
    assert "settles" not in low
    assert "what settles it" in prior_caveat(_commitment(0.9), other)


# --- F9: the look-again date and "same advice" ------------------------------------------------
ANALYSED = dt.date(2026, 12, 7)


def _record(as_of: dt.date, action: str, review: dt.date, period: int, **more) -> LastResult:
    return LastResult(ANALYSED, as_of, action, TAURATE, review, period, (), **more)


def test_a_date_come_and_a_new_period_is_no_build_up_move():
    # a switch to taurate for 17 nights, to look again on 06-22; on its 17th night, continue
    switched = _record(dt.date(2026, 6, 4), "switch_form", dt.date(2026, 6, 22), 17)
    kept = _record(dt.date(2026, 6, 21), "continue", dt.date(2026, 7, 7), 16)
    since = SinceLast(switched, kept, holds=False)
    words = since.words()
    assert "build-up" not in words and "moved" not in words
    assert "the look-again date of 2026-06-22 has come; same advice: keep taking taurate" in words
    entry = since.to_dict()
    assert entry["next_review_moved"] is None and not entry["nothing_changed"]
    # the same period made longer by a slower build-up is still said so
    longer = _record(dt.date(2026, 6, 21), "continue", dt.date(2026, 6, 24), 19)
    assert SinceLast(switched, longer, holds=True).why_moved() == "build_up_slower"


def test_a_later_date_from_a_shorter_period_is_not_put_down_to_the_build_up():
    before = _record(dt.date(2026, 6, 4), "continue", dt.date(2026, 6, 22), 17)
    later = _record(dt.date(2026, 6, 5), "continue", dt.date(2026, 6, 25), 16)
    since = SinceLast(before, later, holds=True)
    assert since.moved and since.why_moved() is None
    assert since.words().endswith("moved from 2026-06-22 to 2026-06-25.")
    earlier = _record(dt.date(2026, 6, 5), "continue", dt.date(2026, 6, 21), 16)
    assert SinceLast(before, earlier, holds=True).why_moved() == "build_up_faster"


def test_a_step_that_became_a_commitment_is_not_the_same_advice_unchanged():
    waiting = _record(dt.date(2026, 8, 10), "continue", dt.date(2026, 8, 13), 20, commit=False)
    settled = _record(dt.date(2026, 8, 12), "continue", dt.date(2026, 9, 2), 20, commit=True)
    since = SinceLast(waiting, settled, holds=False)
    assert since.same_advice and not since.to_dict()["nothing_changed"]
    assert ("the look-again date of 2026-08-13 has come; same step, now as one to stay on: "
            "keep taking taurate 200 mg") in since.words()
    undone = SinceLast(settled, _record(dt.date(2026, 8, 13), "collect_more_data",
                                        dt.date(2026, 9, 2), 20, commit=False), holds=False)
    assert "same step, no longer as one to stay on: keep taking taurate 200 mg" in undone.words()
    # a record kept before it said whether it was a commitment is not compared on it
    old = _record(dt.date(2026, 8, 12), "continue", dt.date(2026, 9, 2), 20)
    assert SinceLast(old, settled, holds=False).to_dict()["nothing_changed"]


def test_the_record_keeps_whether_the_advice_was_a_commitment(tmp_path):
    diary = str(tmp_path / "diary.csv")
    path = record_path(tmp_path, diary)
    kept = _record(dt.date(2026, 8, 12), "continue", dt.date(2026, 9, 2), 20, commit=True)
    keep_last(path, kept, diary)
    assert read_last(path, diary) == kept
    assert LastResult.from_dict(kept.to_dict() | {"commit": None}).commit is None
    data = kept.to_dict()
    del data["commit"]                                # a record kept before it was
    assert LastResult.from_dict(data).commit is None
    with pytest.raises(ValueError, match="commit"):
        LastResult.from_dict(kept.to_dict() | {"commit": "yes"})


def test_a_pathway_commitment_below_the_sure_line_is_not_said_settled(monkeypatch):
    """A pathway's "(settled)" follows the same line as How sure (its third's P(best)): "as
    expected: continue (settled)" stood beside "Not sure, though more trying ..." (a review)."""
    from model.decision.settings import DecisionSettings
    from model.report.pathway_words import NOT_SURE, pathway_line
    from tests.test_effects_pathways import paths

    def committed() -> list:
        return [p for p in paths()[1] if "commit" in p.reason_codes]

    unsure = committed()          # the known answer: P(best) below 0.8 in its third
    assert unsure and not any(p.sure for p in unsure)
    assert all(pathway_line(p).endswith(NOT_SURE) for p in unsure)
    monkeypatch.setattr(DecisionSettings, "commit_p_best", 0.0)    # every P(best) reaches it
    sure = committed()
    assert sure and all(p.sure for p in sure)
    assert all(pathway_line(p).endswith("(settled)") for p in sure)
