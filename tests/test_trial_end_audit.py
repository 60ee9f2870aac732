"""The end of a planned trial, after an outside audit of a blinded trial of glycinate 200 mg,
citrate 200 mg and placebo (2026-12-05).

At its end the headline sent the person on to a form they never chose ("Switch to taurate
... to learn"; "Continue glycinate" when glycinate's pot came last), called glycinate's 8 min
faster (4 to 13, P 0.998) "no meaningful effect", printed "P 1.00", read a dozen verdicts at
once with no word of chance, and `unblind` wrote over a diary holding nights logged since.
"""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest

from model.cli.main import main
from model.core.atomic import write_text
from model.core.change_words import chance
from model.core.regimen import Regimen
from model.decision import History, decide
from model.decision.history import planned_forms
from model.evidence.priorset import load_priors
from model.report.effect_words import MANY_LINES, chance_note
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
PRIORS = load_priors()
GLYCINATE, CITRATE = Regimen("glycinate", 200), Regimen("citrate", 200)


def nights(forms: list[str], notes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"form": forms, "notes": notes})


@pytest.mark.parametrize(("frame", "planned"), [
    (nights(["none", "glycinate", "citrate", "placebo"],
            ["baseline", "treatment", "treatment", "treatment"]), {"glycinate", "citrate"}),
    (nights(["glycinate", "citrate", "placebo", "none"],
            ["code A (plan 3f9a1c2e)", "Code b (plan 3f9a1c2e)", "code C (plan 3f9a1c2e)",
             ""]), {"glycinate", "citrate"}),
    (nights(["glycinate", "citrate"], ["felt fine", "code red at work"]), set())])
def test_the_forms_of_a_planned_trial_are_read_from_its_notes(frame, planned):
    """An open plan's rows say ``treatment``; an unblinded one's keep their pot code."""
    assert planned_forms(frame) == planned


def crossover_end(planned: frozenset[str]):
    past = History(CITRATE, 28, frozenset({"glycinate", "citrate"}), 0,
                   nights_on={GLYCINATE: 28, CITRATE: 28}, planned_forms=planned)
    model = FakePosterior(n_draws=400, seed=3, benefit={"glycinate": 0.3, "citrate": 0.1},
                          benefit_sd=0.5)
    return decide(model, priors=PRIORS, diary=past, as_of=AS_OF).recommendation


def test_a_finished_trial_of_two_forms_ends_the_crossover():
    """Without the trial, two forms tried leave the crossover a third to try, to learn."""
    own = crossover_end(frozenset())
    assert own.regimen.form not in ("glycinate", "citrate") and "crossover" in own.reason_codes
    after = crossover_end(frozenset({"glycinate", "citrate"}))
    assert after.regimen == GLYCINATE and after.action == "switch_form"
    assert not {"crossover", "learn"} & set(after.reason_codes)
    assert "by_design" in after.reason_codes    # settled by the trial's end, and said so
    assert "the trial you planned, of citrate and glycinate, is over" in " ".join(after.reasons)


@pytest.mark.parametrize(("p", "said"), [(0.998, "> 0.99"), (0.994, "0.99"), (0.5, "0.50"),
                                         (0.003, "< 0.01")])
def test_a_chance_is_never_rounded_to_certainty(p, said):
    assert chance(p) == said


def test_many_verdicts_at_once_say_that_one_may_be_chance():
    assert chance_note(MANY_LINES - 1) == ""
    assert "among 12, a \u201cprobably\u201d may be chance" in chance_note(12)


def test_unblind_refuses_to_write_over_a_diary_without_force(tmp_path, capsys):
    """The key is checked after: the refusal comes first, and nothing is written."""
    out = tmp_path / "unblinded.csv"
    out.write_text("date,form\n2026-01-01,taurate\n")
    code = main(["unblind", str(tmp_path / "blinded.csv"), "--key", str(tmp_path / "k.json"),
                 "--out", str(out)])
    assert code == 2 and "--force to replace it" in capsys.readouterr().err
    assert out.read_text() == "date,form\n2026-01-01,taurate\n"
    assert main(["unblind", str(tmp_path / "blinded.csv"), "--key", str(tmp_path / "k.json"),
                 "--out", str(out), "--force"]) == 2      # past the refusal: no key
    assert "no such file: the sealed key" in capsys.readouterr().err


def test_a_write_that_fails_names_the_file_given_not_its_temporary():
    with pytest.raises(OSError) as raised:
        write_text("/proc/an.html", "x")
    assert raised.value.filename == "/proc/an.html"


BLINDED = ["plan", "--forms", "glycinate,taurate", "--blind", "--start", "2024-01-01",
           "--baseline-days", "7", "--period-days", "7", "--washout-days", "3", "--cycles", "1"]


def test_log_says_to_stop_a_pot_with_loose_stools_most_nights(tmp_path):
    """Stool 7 on four nights in a row on a pot: `log` was silent (nobody analyses a blinded
    diary), and the refusal of `analyze` said only "if they go on"."""
    diary = tmp_path / "trial.csv"
    assert main([*BLINDED, "--out", str(diary)]) == 0
    table = pd.read_csv(diary, dtype=str, keep_default_na=False)
    for row in range(11):            # baseline 7 nights, then 4 of the first pot
        table.loc[row, ["sol_min", "quality", "stool_bristol"]] = ["20", "3", "4"]
    table.loc[7:10, "stool_bristol"] = "7"
    table.to_csv(diary, index=False)
    pot = table.loc[8, "notes"].split()[1]
    with pytest.warns(UserWarning) as said:
        assert main(["log", str(diary), "--date", "2024-01-12", "--sol", "25",
                     "--stool", "7"]) == 0
    [alert] = [str(w.message) for w in said if "GI nights" in str(w.message)]
    assert f"5 GI nights (loose stools or an upset stomach) in the last 7 on pot {pot}: stop " \
           f"pot {pot} now" in alert
    assert f"take pot {pot} again only if they agree" in alert
    # stopped as told (the night keeps its code): nothing more is said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["log", str(diary), "--date", "2024-01-13", "--form", "none", "--replace",
                     "--sol", "20", "--stool", "4"]) == 0


def test_log_says_loose_stools_on_an_open_regimen(tmp_path):
    diary = tmp_path / "open.csv"
    diary.write_text("date,form,elemental_mg,sol_min,stool_bristol\n" + "".join(
        f"2024-03-{d:02d},citrate,300,20,{7 if d > 8 else 4}\n" for d in range(1, 11)))
    with pytest.warns(UserWarning, match="2 GI nights \\(loose stools or an upset stomach\\) "
                      "in the last 7 on citrate 300 mg: run mgsleep analyze"):
        assert main(["log", str(diary), "--date", "2024-03-11", "--form", "citrate", "--mg",
                     "300", "--stool", "4"]) == 0


def test_log_warns_of_a_form_logged_on_a_pot_night(tmp_path):
    """`log --form citrate --mg 200` on a pot night was accepted without a word, and the
    form then overrode the sealed key at unblinding."""
    diary = tmp_path / "trial.csv"
    assert main([*BLINDED, "--out", str(diary)]) == 0
    pot = pd.read_csv(diary, dtype=str, keep_default_na=False).loc[8, "notes"].split()[1]
    with pytest.warns(UserWarning, match=f"night 2024-01-09 is a night of pot {pot} of a "
                                         "blinded plan: the form and dose logged replace"):
        assert main(["log", str(diary), "--date", "2024-01-09", "--form", "citrate", "--mg",
                     "200", "--sol", "20"]) == 0


def test_log_says_nothing_more_once_the_regimen_is_stopped(tmp_path):
    """A review: after `--form none`, every night logged in the next week still said "if
    they go on, stop citrate 300 mg"."""
    diary = tmp_path / "open.csv"
    diary.write_text("date,form,elemental_mg,sol_min,stool_bristol\n" + "".join(
        f"2024-03-{d:02d},citrate,300,20,{7 if d > 8 else 4}\n" for d in range(1, 11)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["log", str(diary), "--date", "2024-03-11", "--form", "none",
                     "--sol", "20", "--stool", "5"]) == 0


def test_the_reports_table_never_rounds_a_chance_to_certainty():
    """A review: the HTML effects table printed `P(better) 1.00` beside the text's "> 0.99"."""
    from model.analysis.effects import DiaryEffect
    from model.report.effects_html import _rows

    effect = DiaryEffect("glycinate", "sol", GLYCINATE, 30, "min", -8.0, -13.0, -4.0, 0.998,
                         0.02, 0.0, 20.0, "no_meaningful_effect", None, False, "")
    row = _rows([effect]).iloc[0]
    assert (row["p_benefit"], row["p_beyond_mcid"], row["p_harm_beyond_mcid"]) == (
        "> 0.99", "0.02", "< 0.01")
