"""Since your last analysis: the record of a diary's last result and what changed since.

An outside audit (/tmp/w46/C F2, F4): a person analysing every morning saw the look-again
date move 12-06 -> 12-10 -> 12-08 and verdicts change without a word.
"""

import contextlib
import datetime as dt
import io
import json
import os

import pytest

from model.analysis import pipeline
from model.analysis.fit_cache import CacheWarning
from model.analysis.since_last import (
    LastResult,
    SinceLast,
    keep_last,
    read_last,
    record_path,
)
from model.cli.main import main
from model.core.regimen import Regimen
from model.simulate.personas import simulate_diary

DAY = dt.date(2026, 11, 16)
GLYCINATE, TAURATE = Regimen("glycinate", 200), Regimen("taurate", 200)


def record(**changes) -> LastResult:
    """Yesterday's result on taurate 200 mg, with ``changes``."""
    fields = {"analysed_on": DAY, "as_of": DAY - dt.timedelta(days=1), "action": "continue",
              "regimen": TAURATE, "next_review": dt.date(2026, 12, 8), "period_nights": 22,
              "verdicts": (("glycinate@200", "gi", "inconclusive"),
                           ("taurate@200", "sol", "inconclusive"))}
    return LastResult(**(fields | changes))


def a_day_later(**changes) -> LastResult:
    return record(**({"analysed_on": DAY + dt.timedelta(days=1), "as_of": DAY} | changes))


def test_a_record_is_read_back_as_it_was_kept(tmp_path):
    diary = tmp_path / "diary.csv"
    diary.write_text("date\n")
    path = record_path(tmp_path, str(diary))
    kept = record(verdicts=(("glycinate@200", "gi", "no_meaningful_effect"),))
    keep_last(path, kept, str(diary))
    assert read_last(path, str(diary)) == kept
    assert os.stat(path).st_mode & 0o777 == 0o600            # the advice is private
    # the key is the diary file, however it is named
    assert record_path(tmp_path, str(tmp_path / "." / "diary.csv")) == path
    assert record_path(tmp_path, str(tmp_path / "other.csv")) != path


@pytest.mark.parametrize("text", ["{not json", "[]", '{"kind": "something else"}',
                                  "{}"])
def test_a_corrupt_or_foreign_record_is_ignored_with_a_warning(tmp_path, text):
    diary = str(tmp_path / "diary.csv")
    path = record_path(tmp_path, diary)
    path.write_text(text)
    path.chmod(0o600)
    with pytest.warns(CacheWarning, match="ignored the record of the last analysis"):
        assert read_last(path, diary) is None


def test_a_record_of_another_diary_or_anyone_else_is_never_read(tmp_path):
    diary, other = str(tmp_path / "diary.csv"), str(tmp_path / "other.csv")
    path = record_path(tmp_path, diary)
    keep_last(path, record(), other)                        # copied from another diary's
    with pytest.warns(CacheWarning, match="another diary"):
        assert read_last(path, diary) is None
    keep_last(path, record(), diary)
    path.chmod(0o666)                                       # others could have changed it
    with pytest.warns(CacheWarning, match="ignored the record"):
        assert read_last(path, diary) is None


def test_the_same_advice_again_says_nothing_changed():
    since = SinceLast(record(), record(analysed_on=DAY + dt.timedelta(days=1)), holds=True)
    assert since.words() == (
        "Since your last analysis (2026-11-16, of nights up to 2026-11-15): same advice, "
        "nothing changed: keep taking taurate 200 mg and change nothing until 2026-12-08.")
    entry = since.to_dict()
    assert entry["nothing_changed"] and entry["same_advice"]
    assert entry["next_review_moved"] is None and entry["verdicts_changed"] == []
    assert entry["previous"] == {"analysed_on": "2026-11-16", "as_of": "2026-11-15",
                                 "action": "continue", "form": "taurate",
                                 "elemental_mg_per_day": 200.0, "split": False,
                                 "next_review": "2026-12-08"}
    # while the period does not set the step, the date is one to look again on
    assert "and look again on 2026-12-08" in SinceLast(record(), a_day_later(),
                                                       holds=False).words()


def test_a_moved_look_again_date_is_said_with_the_build_up_that_moved_it():
    since = SinceLast(record(), a_day_later(next_review=dt.date(2026, 12, 10),
                                            period_nights=24), holds=True)
    assert since.words() == (
        "Since your last analysis (2026-11-16, of nights up to 2026-11-15): same advice: "
        "keep taking taurate 200 mg and change nothing until 2026-12-10; the look-again date "
        "moved from 2026-12-08 to 2026-12-10 (the build-up is estimated slower: a period of "
        "24 nights, was 22).")
    assert since.to_dict()["next_review_moved"] == {"from": "2026-12-08", "to": "2026-12-10",
                                                    "why": "build_up_slower"}
    assert not since.to_dict()["nothing_changed"]
    earlier = SinceLast(record(), a_day_later(next_review=dt.date(2026, 12, 7),
                                              period_nights=21), holds=True)
    assert "(the build-up is estimated faster: a period of 21 nights, was 22)" in \
        earlier.words()
    # a date moved for another reason is said, and no build-up is blamed for it
    other = SinceLast(record(), a_day_later(next_review=dt.date(2026, 12, 9)), holds=True)
    assert other.words().endswith("moved from 2026-12-08 to 2026-12-09.")
    assert other.to_dict()["next_review_moved"]["why"] is None


def test_a_changed_advice_names_both_steps_and_whether_the_period_was_over():
    before = record(regimen=GLYCINATE, next_review=DAY)
    since = SinceLast(before, a_day_later(action="switch_form", next_review=dt.date(2026, 12, 6)),
                      holds=False)
    assert ("the advice changed: from continue glycinate 200 mg to switch to taurate 200 mg "
            "(the period is over).") in since.words()
    assert not since.to_dict()["same_advice"] and since.to_dict()["next_review_moved"] is None
    early = SinceLast(record(regimen=GLYCINATE), a_day_later(action="refer", regimen=None,
                                                             next_review=None), holds=False)
    assert ("from continue glycinate 200 mg to see a clinician (before the look-again date "
            "of 2026-12-08: the reason is given under Why)") in early.words()


def test_changed_verdicts_are_listed_and_new_regimens_are_not_changes():
    now = a_day_later(verdicts=(("glycinate@200", "gi", "no_meaningful_effect"),
                                ("taurate@200", "sol", "inconclusive"),
                                ("citrate@200", "sol", "inconclusive")))
    since = SinceLast(record(), now, holds=True)
    assert since.words().endswith("until 2026-12-08; glycinate 200 mg, GI nights: "
                                  "inconclusive -> no meaningful effect.")
    assert since.to_dict()["verdicts_changed"] == [
        {"regimen": "glycinate@200", "outcome": "gi", "from": "inconclusive",
         "to": "no_meaningful_effect"}]


# -- the command: two mornings on one diary, a corrupt record, --no-cache ----------------------
@pytest.fixture(scope="module")
def mornings(tmp_path_factory):
    """One diary analysed twice with a cache (the second reuses the fit): one fit in all.

    The diary, the cache, the options, each morning's JSON, the second's terminal text and
    the analysis made.
    """
    folder = tmp_path_factory.mktemp("since-last")
    diary, cache = folder / "diary.csv", folder / "cache"
    simulate_diary("responder", 60, seed=11).to_csv(diary, index=False)
    options = [str(diary), "--cache", str(cache), "--draws", "600", "--chains", "4",
               "--seed", "1"]
    made, runs, text = [], [], io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "analyze", lambda *a, analyze=pipeline.analyze, **k:
                      made.append(analyze(*a, **k)) or made[-1])
        for morning in ("first", "second"):
            out = folder / f"{morning}.json"
            with contextlib.redirect_stdout(text if morning == "second" else io.StringIO()):
                assert main(["analyze", *options, "--json", str(out)]) == 0
            runs.append(json.loads(out.read_text()))
    return {"diary": diary, "cache": cache, "options": options, "runs": runs,
            "text": text.getvalue(), "made": made[0]}


@pytest.mark.fit
def test_the_second_morning_says_nothing_changed(mornings):
    first, second = mornings["runs"]
    assert first["since_last"] is None                      # no earlier record
    since = second["since_last"]
    assert since["nothing_changed"] and since["previous"]["as_of"] == first["as_of"]
    assert since["previous"]["next_review"] == first["recommendation"]["next_review"]
    assert "same advice, nothing changed" in since["words"]
    (kept,) = mornings["cache"].rglob("*.last.json")
    assert json.loads(kept.read_text())["as_of"] == second["as_of"]
    # the line is printed before the headline
    text = mornings["text"]
    assert text.index(since["words"]) < text.index("Recommendation:")


@pytest.mark.fit
def test_a_corrupt_record_is_named_and_replaced(mornings, tmp_path, capsys):
    (kept,) = mornings["cache"].rglob("*.last.json")
    kept.write_text("{broken")
    out = tmp_path / "out.json"
    assert main(["analyze", *mornings["options"], "--json", str(out)]) == 0
    assert "warning: ignored the record of the last analysis" in capsys.readouterr().err
    payload = json.loads(out.read_text())
    assert payload["since_last"] is None
    assert any(w.startswith("ignored the record") for w in payload["warnings"])
    assert json.loads(kept.read_text())["kind"] == "mgsleep last analysis"     # rewritten


@pytest.mark.fit
def test_no_cache_neither_reads_nor_writes_a_record(mornings, tmp_path, monkeypatch):
    cache, diary = mornings["cache"], mornings["diary"]
    monkeypatch.setenv("MGSLEEP_CACHE", str(cache))         # the default cache: the same one
    monkeypatch.setattr(pipeline, "analyze", lambda *a, **k: mornings["made"])  # no new fit
    (kept,) = cache.rglob("*.last.json")
    keep_last(kept, record(), str(diary))                   # an earlier morning's, valid
    before = kept.read_bytes()
    out = tmp_path / "out.json"
    assert main(["analyze", str(diary), "--no-cache", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["since_last"] is None
    assert kept.read_bytes() == before and len(list(cache.rglob("*.last.json"))) == 1


def test_keeping_the_regimen_a_step_moved_to_is_the_same_advice():
    switched = record(action="switch_form", next_review=dt.date(2026, 12, 6))
    since = SinceLast(switched, a_day_later(next_review=dt.date(2026, 12, 7)), holds=True)
    assert since.same_advice and since.to_dict()["previous"]["action"] == "switch_form"
    assert ("same advice: keep taking taurate 200 mg and change nothing until 2026-12-07; the "
            "look-again date moved from 2026-12-06 to 2026-12-07") in since.words()
    # stopping after a switch is another advice
    assert not SinceLast(switched, a_day_later(action="stop", regimen=None),
                         holds=False).same_advice


@pytest.mark.fit
def test_a_run_whose_outputs_failed_keeps_no_record(mornings, tmp_path, monkeypatch):
    """The record is of what the person was given: not of a run that wrote nothing."""
    cache, diary = mornings["cache"], mornings["diary"]
    monkeypatch.setattr(pipeline, "analyze", lambda *a, **k: mornings["made"])  # no new fit
    (kept,) = cache.rglob("*.last.json")
    keep_last(kept, record(), str(diary))
    before = kept.read_bytes()

    def full_disk(files, like=()):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("model.cli.analyze.write_all", full_disk)
    assert main(["analyze", *mornings["options"], "--json", str(tmp_path / "out.json")]) != 0
    assert kept.read_bytes() == before
    monkeypatch.undo()
    monkeypatch.setattr(pipeline, "analyze", lambda *a, **k: mornings["made"])
    assert main(["analyze", *mornings["options"], "--json", str(tmp_path / "out.json")]) == 0
    assert json.loads(kept.read_text())["as_of"] == mornings["runs"][1]["as_of"]
