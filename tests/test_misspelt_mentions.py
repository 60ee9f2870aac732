"""A misspelt medicine or condition in the diary's free text is read as the name, never silence.

An outside audit (/tmp/w50/b F-10): ``other_change`` "started digoxn 125 mcg", "started
raltegrvir 400 mg" and "diagnosed with chronic kidny disease stage 4" were silence (no
warning, "Switch to taurate ... to learn") where the correct spellings hold or refer the
advice; ``mgsleep log --other-change "started digoxn 125 mcg"`` was silent too. F-11: the
profile's "chronic kidny disease stage 4" was "did you mean 'chronic kidney disease stage 5'?".
A second audit (/tmp/w50/c C2): "GP put me on digoxn", "Rx digoxn", "on digoxn now" were
silence too.
Known answers on small diaries (:mod:`model.decision.misspelt`,
:mod:`model.decision.diary_mentions`), the decision on a toy posterior, and ``log``.
"""

import datetime as dt

import pandas as pd
import pytest

from model.data.diary import read_diary
from model.decision import decide
from model.decision.diary_mentions import with_diary_mentions
from model.decision.screening import near_misses, screen
from model.evidence.names import NameIndex, unknown_message
from model.testing import FakePosterior

FIRST = dt.date(2026, 10, 20)
NIGHTS = 30
CHANGED = 14
DAY = FIRST + dt.timedelta(days=CHANGED)


def _nights(text: str, column: str = "other_change") -> pd.DataFrame:
    """Glycinate 200 mg every night from FIRST, ``text`` in ``column`` on night CHANGED."""
    dates = pd.date_range(FIRST, periods=NIGHTS, freq="D", name="date")
    cells = ["" if i != CHANGED else text for i in range(NIGHTS)]
    other = {"other_change": cells, "notes": [""] * NIGHTS} if column == "other_change" \
        else {"other_change": [""] * NIGHTS, "notes": cells}
    return pd.DataFrame({"form": "glycinate", "elemental_mg": 200.0, "split": False,
                         "recorded": True, "gi_night": 0.0, **other}, index=dates)


def _rules(profile, text, safety, column="other_change"):
    read = with_diary_mentions(profile, _nights(text, column), safety)
    return read, screen(read.profile, safety)


@pytest.mark.parametrize(("typo", "right", "written", "entry"), [
    ("started digoxn 125 mcg", "started digoxin 125 mcg", "digoxn", "digoxin"),
    ("started raltegrvir 400 mg", "started raltegravir 400 mg", "raltegrvir", "raltegravir"),
    ("diagnosed with chronic kidny disease stage 4",
     "diagnosed with chronic kidney disease stage 4", "chronic kidny disease stage 4",
     "chronic kidney disease stage 4"),
    ("started raltgravr 400 mg", "started raltegravir 400 mg", "raltgravr", "raltegravir"),
    ("gp started me on digoxn", "gp started me on digoxin", "digoxn", "digoxin"),
    ("pregant", "pregnant", "pregant", "pregnant"),
    ("heart blok", "heart block", "heart blok", "heart block"),
    # other ways of writing "began" (/tmp/w50/c C2): they were silence
    ("GP put me on digoxn", "GP put me on digoxin", "digoxn", "digoxin"),
    ("Rx digoxn", "Rx digoxin", "digoxn", "digoxin"),
    ("on digoxn now", "on digoxin now", "digoxn", "digoxin"),
    ("rx raltegrvir", "rx raltegravir", "raltegrvir", "raltegravir"),
])
def test_a_misspelt_name_is_screened_as_the_name(clean, safety, typo, right, written, entry):
    """The audit's three cells (and other typos of a name with a rule) hold or refer exactly
    as the correct spelling does, with a warning saying where it was read, the text, the
    name it was read as and how to put it right."""
    read, rules = _rules(clean, typo, safety)
    _, own = _rules(clean, right, safety)
    assert own.referrals or own.holds
    assert (rules.referrals, rules.holds) == (own.referrals, own.holds)
    assert len(read.warnings) == 1, read.warnings
    said = read.warnings[0]
    assert f"Your diary says {typo!r} on {DAY} (other_change): {written!r} is read as " \
           f"{entry!r}" in said, said
    assert f"correct the diary's other_change on {DAY} if {written!r} is not {entry}." in said


def test_the_notes_column_is_read_too(clean, safety):
    """A misspelling in ``notes`` holds as in ``other_change``, and the warning names it."""
    read, rules = _rules(clean, "started digoxn", safety, column="notes")
    assert rules.holds and "(notes)" in read.warnings[0]
    assert f"correct the diary's notes on {DAY} if 'digoxn' is not digoxin" in read.warnings[0]


@pytest.mark.parametrize("text", ["stopped digoxn", "partner started digoxn",
                                  "maybe starting raltegrvir"])
def test_stance_words_apply_as_for_the_correct_spelling(clean, safety, text):
    """Stopped, or perhaps not the person's: said with its reading, not screened."""
    read, rules = _rules(clean, text, safety)
    assert read.profile == clean and not rules.referrals and not rules.holds
    assert len(read.warnings) == 1, read.warnings
    assert "its rule is NOT applied" in read.warnings[0]
    assert "is read as" in read.warnings[0] and "Correct the diary's other_change" \
        in read.warnings[0]


BENIGN = [
    "started running", "stressful week", "late dinner", "magnesium citrate", "took melatonin",
    "new pillow", "tummy ache after dinner", "dinner out", "cold", "flu", "travel",
    "glycinate", "taurate", "threonate", "magnesium bisglycinate 200 mg", "malate",
    "magnesium oxide", "took it late",
    "took two capsules", "magnesium spray before bed", "epsom salt bath", "stopped coffee",
    "started yoga", "started a new book", "started knitting", "started journaling",
    "slept less", "lose weight", "it depends", "depend on coffee", "to deepen my sleep",
    "new location", "not neurotic just tired", "exporting files late", "restored the old bike",
    "the teenagers were noisy", "irony", "icon", "ironing late", "zing", "had lasik",
    "restless legs", "new lens", "hit a block at work", "new thyroid test booked next month",
    "executing a plan", "poignant film", "late meeting", "headache", "took ibuprofen",
    "sore throat", "hay fever", "period started", "jet lag", "night shift", "heatwave",
    "took a hot bath", "started cbt-i", "stopped melatonin", "started sertraline 50 mg",
    "loose stools", "upset stomach", "two glasses of wine", "gym session in the evening",
    # the cues of /tmp/w50/c C2 before everyday words
    "on location", "on holiday", "on call now", "on location now", "on holiday now",
    "on nights now", "on leave now", "put on weight", "put me on nights", "rx pad",
    "put the kettle on", "put on a podcast", "on vacation now", "put lanolin on my lips",
    "put the irons away",
    # accented words (/tmp/w50/c C1: an accent no longer cuts a word in two)
    "café late", "soirée", "crème brûlée", "naïve", "started a new résumé", "piña colada",
    "fiancée visiting", "Zoë's party", "took a siesta in the château", "müde",
]


@pytest.mark.parametrize("text", BENIGN)
def test_ordinary_words_are_no_misspelt_name(clean, safety, text):
    """Plausible diary texts, and English words within a typo of a name with a rule ("less"
    of LEMS, "location" of lactation, "exporting" of expecting, "restored" of Restoril,
    "teenagers" of teenager): no mention, no change (the typo is read only where the diary
    says a medicine is begun or stopped, or for several words)."""
    assert len(BENIGN) >= 40
    read = with_diary_mentions(clean, _nights(text), safety)
    assert read.profile == clean and read.warnings == (), read.warnings


def test_a_caution_written_whole_is_said_as_before_not_read_as_another(clean, safety):
    """"diarrhoea" names the caution's condition as written: said, not screened (a magnesium
    diary's loose stools may be the supplement's), and not read as a near miss of another."""
    read = with_diary_mentions(clean, _nights("diarrhoea"), safety)
    assert read.profile == clean and len(read.warnings) == 1
    assert "it names 'ibd or chronic diarrhoea'" in read.warnings[0]
    assert "is read as" not in read.warnings[0]


def test_the_decision_holds_as_for_the_correct_spelling(tmp_path, clean, safety):
    """Through ``decide`` with the diary as ``analyze`` reads it (a CSV): "started digoxn 125
    mcg" holds the advice as "started digoxin 125 mcg" does, and warns of the reading; the
    audit's run was "Switch to taurate ... to learn"."""
    from model.evidence.priorset import load_priors

    priors = load_priors()
    posterior = FakePosterior(benefit={"glycinate": 0.3}, known={"glycinate": 0.3})
    recommendations = {}
    for text in ("started digoxn 125 mcg", "started digoxin 125 mcg", "started running"):
        path = tmp_path / f"{text.split()[1]}.csv"
        table = _nights(text).reset_index()[["date", "form", "elemental_mg", "other_change"]]
        table.assign(sol_min=30, quality=3).to_csv(path, index=False)
        diary = read_diary(path, warn=False, today=FIRST + dt.timedelta(days=NIGHTS))
        recommendations[text] = decide(posterior, priors=priors, profile=clean, diary=diary,
                                       as_of=FIRST + dt.timedelta(days=NIGHTS - 1)
                                       ).recommendation
    typo, right, plain = recommendations.values()
    assert plain.reasons[0] != right.reasons[0]
    assert (typo.action, typo.reasons) == (right.action, right.reasons), typo
    assert any(r.startswith("Reason to see a clinician: digoxin") for r in typo.reasons)
    assert any("'digoxn' is read as 'digoxin'" in w for w in typo.warnings), typo.warnings


def test_log_warns_of_a_misspelt_medicine_at_once(tmp_path):
    """``mgsleep log --other-change "started digoxn 125 mcg"`` says the same warning when
    it writes the night (it was silent; "digoxin" warned)."""
    from model.cli.main import main

    path = tmp_path / "diary.csv"
    path.write_text("date,form,elemental_mg,sol_min\n2026-10-01,glycinate,200,30\n")
    with pytest.warns(UserWarning, match="'digoxn' is read as 'digoxin'") as said:
        assert main(["log", str(path), "--date", "2026-10-02", "--sol", "20",
                     "--other-change", "started digoxn 125 mcg"]) == 0
    assert any("correct the diary's other_change on 2026-10-02 if 'digoxn' is not digoxin"
               in str(w.message) for w in said)


def test_the_did_you_mean_keeps_the_stage_written(clean, safety):
    """F-11: the profile's "chronic kidny disease stage 4" is "did you mean 'chronic kidney
    disease stage 4'?" (it was stage 5: the stage was dropped as a dose), and accepted it
    is read as that, still referring."""
    index = NameIndex.of(safety)
    said = unknown_message("chronic kidny disease stage 4", "condition", index)
    assert "(did you mean 'chronic kidney disease stage 4'?)" in said, said
    for stage in ("3b", "4", "5"):
        assert index.suggest(f"chronic kidny disease stage {stage}", "condition") == \
            f"chronic_kidney_disease_stage_{stage}"
    typo = clean.model_copy(update={"conditions": ("chronic kidny disease stage 4",)})
    assert near_misses(typo, safety) == {"chronic kidny disease stage 4":
                                         ("severe_renal_impairment",)}
    assert any("looks like 'chronic kidney disease stage 4'" in why
               for why in screen(typo, safety).referrals)
