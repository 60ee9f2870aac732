"""An outside audit of terminals and accessibility: screen-reader users, non-UTF-8 terminals,
closed standard streams.

Findings: a terminal that is not UTF-8 gave tracebacks after the files were written; a closed
stream gave tracebacks or put an error on standard output; nutpie's 110-column progress table
could not be turned off; the report's figures had their captions as alt text, facts only in
pixels, series told apart by colour alone and two overlapping axis labels; its headings jumped
from h1 to h3, the answer had no heading, tables no captions and the profile raw keys; a change
that rounds to zero read "-0.0" or "0.0 points lower"; simulate's --help hid the --start
default and its required options; the untried forms were shown at 300 mg above a pregnant
person's 250 mg ceiling.
"""

import codecs
import io
import itertools
import os
import pty
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.cli.main import STAND_IN, main, stand_in
from model.core.change_words import WORDS, change_words
from model.core.progress import NO_PROGRESS, TABLE_COLUMNS, show_progress
from model.inference.nutpie_run import DrawCount, progress_display

ROOT = Path(__file__).resolve().parents[1]
QUIET = ("CI", "PYTEST_CURRENT_TEST", "PYTEST_VERSION", NO_PROGRESS, "COLUMNS")


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in QUIET}
    return env | {"PYTHONPATH": str(ROOT)} | extra


def _mgsleep(shell: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m model ARGS`` run by ``sh`` with redirections ``shell`` (``2>&-``)."""
    command = f'exec "$0" -m model "$@" {shell}'
    return subprocess.run(["sh", "-c", command, sys.executable, *args], cwd=ROOT,
                          env=_environment(**env), capture_output=True, text=True,
                          timeout=120, check=False)


# ---- 1. a terminal that is not UTF-8 -----------------------------------------------------------


def test_characters_a_terminal_cannot_show_are_written_as_ascii():
    codecs.register_error(STAND_IN, stand_in)
    text = ("a \u201cprobably\u201d \u2265 1.73 m\u00b2, 3 \u00b5mol/L \u2192 2\u00d7 "
            "\u2013 \u00b15\u2026 \u00e9")
    assert text.encode("ascii", STAND_IN) == \
        b'a "probably" >= 1.73 m2, 3 umol/L -> 2x - +/-5... ?'
    # Latin-1 shows what it can itself
    assert text.encode("latin-1", STAND_IN).decode("latin-1") == \
        'a "probably" >= 1.73 m\u00b2, 3 \u00b5mol/L -> 2\u00d7 - \u00b15... \u00e9'


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_the_headlines_quotes_reach_a_terminal_that_is_not_utf8(encoding):
    """analyze and demo crashed on the "probably" of a headline with 12 or more effect lines."""
    code = ("from model.cli.main import ready_streams; ready_streams(); "
            "from model.report.effect_words import chance_note; print(chance_note(12))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          env=_environment(PYTHONIOENCODING=encoding), check=False)
    assert done.returncode == 0 and not done.stderr
    assert b'among 12, a "probably" may be chance' in done.stdout


def test_log_into_a_path_with_an_accent_reports_the_night_it_wrote(tmp_path):
    """The night was written, then the command crashed (rc 1) printing the path."""
    from model.simulate.personas import simulate_diary

    diary = tmp_path / "journal_\u00e9.csv"
    diary.write_text(simulate_diary("responder", 5, seed=1).to_csv(index=False))
    done = _mgsleep("", "log", str(diary), "--date", "2026-01-06", "--sol", "20",
                    PYTHONIOENCODING="ascii")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "journal_?.csv: night 2026-01-06 added" in done.stdout
    assert diary.read_text().splitlines()[-1].startswith("2026-01-06,")


def test_a_blinded_plan_in_a_folder_with_an_accent_gives_its_instructions(tmp_path):
    """The plan and its key were written, then a crash before "Next: give ... key.json"."""
    out = tmp_path / "\u00e9" / "plan.csv"
    done = _mgsleep("", "plan", "--forms", "glycinate,taurate", "--start", "2026-12-07",
                    "--blind", "--out", str(out), PYTHONIOENCODING="ascii")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "Next: give " in done.stdout and out.exists()


# ---- 2. closed standard streams ----------------------------------------------------------------


def test_a_closed_standard_output_is_no_traceback():
    """``mgsleep priors >&-``: AttributeError 'NoneType' object has no attribute 'flush'."""
    done = _mgsleep(">&-", "priors")
    assert (done.returncode, done.stderr) == (0, "")


def test_with_standard_error_closed_an_error_never_lands_on_standard_output():
    """``print(file=None)`` writes to standard output: a CSV or JSON there would be spoilt."""
    done = _mgsleep("2>&-", "simulate", "--persona", "nobody", "--nights", "3", "--out", "-")
    assert (done.returncode, done.stdout) == (2, "")


@pytest.mark.parametrize("interactive", [(), ("-i",)])
def test_log_with_standard_input_closed_says_what_it_needs(tmp_path, interactive):
    """``log ... <&-``: AttributeError (log.py:216), or "input(): lost sys.stdin"."""
    done = _mgsleep("<&-", "log", str(tmp_path / "d.csv"), "--date", "2026-02-10",
                    *interactive)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "mgsleep log: error: " in done.stderr


# ---- 3. progress -------------------------------------------------------------------------------


def on_a_terminal(monkeypatch, terminal) -> None:
    """Standard error on ``terminal`` in a person's shell: not CI, not pytest (called in the
    test's body: pytest sets PYTEST_CURRENT_TEST and its own sys.stderr after the fixtures)."""
    for name in QUIET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "stderr", terminal)


@pytest.fixture
def terminal():
    """A writable pseudo-terminal."""
    other, write = pty.openpty()
    with os.fdopen(write, "w") as stream:
        yield stream
    os.close(other)


def test_progress_is_turned_off_by_a_variable_or_an_option(terminal, monkeypatch):
    on_a_terminal(monkeypatch, terminal)
    assert show_progress(terminal)
    monkeypatch.setenv(NO_PROGRESS, "1")
    assert not show_progress(terminal) and progress_display(True, 100) == (False, None)
    monkeypatch.setenv(NO_PROGRESS, "0")
    assert show_progress(terminal)
    monkeypatch.delenv(NO_PROGRESS)
    assert main(["--no-progress", "priors"]) == 0
    assert os.environ[NO_PROGRESS] == "1" and not show_progress(terminal)


def test_a_narrow_terminal_gets_one_plain_line_not_nutpies_table(terminal, monkeypatch):
    on_a_terminal(monkeypatch, terminal)
    monkeypatch.setenv("COLUMNS", str(TABLE_COLUMNS))
    assert progress_display(True, 100) == (True, None)       # nutpie's own table
    assert progress_display(False, 100) == (False, None)
    monkeypatch.setenv("COLUMNS", "40")
    table, line = progress_display(True, 100)
    assert table is False and isinstance(line, DrawCount)


def test_the_one_line_counts_the_draws_of_every_chain_and_ends_once(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setenv("COLUMNS", "30")
    count = DrawCount(200)
    for done in (0, 0, 1, 40, 41, 100):              # nutpie calls back every 100 ms
        count([SimpleNamespace(finished_draws=done), SimpleNamespace(finished_draws=done)])
    count.finish()
    count.finish()
    text = stream.getvalue()
    assert text.isascii() and text.count("\n") == 1 and text.endswith("\n")
    shown = [part.removesuffix("\x1b[K\n").removesuffix("\x1b[K")
             for part in text.split("\r")[1:]]
    assert [s.split(" (")[0] for s in shown] == [
        "sampling: 0/200", "sampling: 2/200", "sampling: 80/200", "sampling: 82/200",
        "sampling: 200/200"]
    assert max(len(s) for s in shown) == 29 and shown[-1] == "sampling: 200/200 (100%)"


# ---- 6. no "-0.0", no direction on a zero ------------------------------------------------------


def test_a_change_said_as_zero_has_no_sign_and_no_direction():
    assert change_words("gi", -0.0005, -0.05, 0.047) == \
        "GI nights: no change (-1.5 to +1.4 a month)"
    assert change_words("freshness", -0.03, -0.5, 0.4) == \
        "morning freshness: no change (0.5 lower to 0.4 higher)"
    assert change_words("quality", 0.3, -0.02, 0.6) == \
        "sleep quality 0.3 points higher (0.0 to 0.6 higher)"


@given(st.sampled_from(list(WORDS)), st.floats(-0.2, 0.2), st.floats(0, 0.2), st.floats(0, 0.2))
def test_no_change_words_read_minus_zero_or_a_zero_with_a_direction(outcome, mean, below, above):
    said = change_words(outcome, mean, mean - below, mean + above)
    assert not re.search(r"-0(\.0)?(?![.\d])", said), said
    directions = "|".join(w for words in WORDS.values() for w in words[1:3])
    assert not re.search(rf"(?<![\d.])0(\.0)? (min |points )?({directions})\b", said), said


# ---- 7. help texts -----------------------------------------------------------------------------


def test_simulate_names_its_required_options_and_its_start_default(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["simulate", "--nights", "3"])
    assert exited.value.code == 2
    assert "the following arguments are required: --persona, --out" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["simulate", "--list"])                 # lists without --persona and --out
    assert exited.value.code == 0 and "responder " in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    usage = " ".join(capsys.readouterr().out.split())
    assert "--persona NAME [--nights N]" in usage and "] --out CSV [" in usage
    assert "date of the first night (default 2026-01-01)" in usage


def test_analyze_help_gives_the_seeds_default(capsys):
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "(default: None; None is a new seed each run)" in said


# ---- 4, 5 and 8: the report --------------------------------------------------------------------

@pytest.fixture(scope="module")
def analysis():
    """The example analysis (fitted once per process)."""
    from model.testing import example_analysis

    return example_analysis()


COLOURS = re.compile(r"\b(grey|gray|blue|red|green|orange|purple|black|colou?r)", re.I)
FIGURE = re.compile(r'<figure><img alt="([^"]*)" src="[^"]*"><figcaption>([^<]*)</figcaption>')


@pytest.fixture(scope="module")
def page(analysis):
    """The report of the example analysis."""
    from model.report.html import render_report

    return render_report(analysis)


@pytest.mark.fit
def test_alt_texts_say_what_each_figure_shows_in_numbers(page, analysis):
    from model.viz.checks import regimen_means
    from model.viz.marks import tau_interval

    figures = [(unescape(alt), unescape(caption)) for alt, caption in FIGURE.findall(page)]
    assert len(figures) == 4
    for alt, caption in figures:
        assert alt != caption and not caption.startswith(alt)
        assert not COLOURS.search(alt), alt
    actions, timeline, predictive, _ = (alt for alt, _ in figures)
    assert "recommended: " in actions and "not allowed now" in actions
    tau = f"{tau_interval(analysis.fit)[0]:.1f} days"
    assert tau in timeline
    means = regimen_means(analysis.fit)
    first = means.iloc[0]
    assert f"observed {first['observed']:.1f}, predicted {first['predicted']:.1f}" in predictive
    # and in the text, not only in the images' alt texts
    text = re.sub(r"<img [^>]*>", "", page)
    assert f"a time constant of {tau}" in text
    assert "<caption>Observed and predicted means per regimen</caption>" in text
    assert text.count("<td>falling asleep (min)</td>") == means["regimen"].nunique()


@pytest.mark.fit
def test_headings_do_not_jump_and_the_answer_has_its_own(page):
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))
    assert re.search(r'<h2 id="what-to-do">What to do</h2><p class="answer">', page)


@pytest.mark.fit
def test_every_table_has_a_caption_and_the_profile_is_in_words(page):
    assert page.count("<table") == page.count("<table><caption>") > 5
    profile = page[page.index("Your profile, entry by entry"):]
    profile = profile[:profile.index("</table>")]
    assert "<td>gut sensitivity</td>" in profile and "<td>max elemental mg</td>" not in profile
    assert "_" not in profile and "not given" in profile
    actions = page[page.index('<section id="actions">'):page.index('<section id="effects">')]
    assert "switch_form" not in actions and "<td>switch to " in actions


@pytest.mark.fit
def test_series_are_told_apart_without_colour(analysis):
    from matplotlib.container import ErrorbarContainer

    from model.viz.plots import plot_actions, plot_priors
    from model.viz.timeline import plot_timeline

    for ax in plot_priors(analysis.fit.priors_, analysis.fit).axes:
        series = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        if series:
            assert len({c.lines[0].get_marker() for c in series}) == 3
    exposure = plot_timeline(analysis.fit).axes[-1]
    assert len({line.get_linestyle() for line in exposure.lines}) == len(exposure.lines) == 2
    decision = analysis.decision
    utility, gi, _ = plot_actions(decision, epsilon=0.2).axes
    for label, bar, a in zip(utility.get_yticklabels(), gi.patches, decision.assessments,
                             strict=True):
        assert label.get_text().endswith(" (not allowed)") == (not a.feasible)
        assert (bar.get_hatch() is not None) == (not a.feasible)


@pytest.mark.fit
def test_the_gi_axis_label_leaves_the_utility_label_alone(analysis):
    """viz/plots.py: "P(violated)" overlapped the long utility label beside it."""
    from model.viz.plots import plot_actions

    fig = plot_actions(analysis.decision, epsilon=0.2)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    utility, gi, _ = fig.axes
    left = utility.xaxis.label.get_window_extent(renderer)
    right = gi.xaxis.label.get_window_extent(renderer)
    assert left.x1 < right.x0 or left.y1 < right.y0 or right.y1 < left.y0


@pytest.mark.fit
def test_forms_not_taken_are_assessed_at_a_ceiling_below_300_mg(analysis):
    """A ceiling of 250 mg: the effects showed every untried form at 300 mg (the report then
    assessed them again; the JSON and the printed effects kept 300 mg)."""
    import warnings

    from model.analysis.pipeline import analyze
    from model.cli.demo import example_diary
    from model.core.forms import FORMS
    from model.data.diary import DiaryWarning, read_diary
    from model.data.profile import Profile
    from model.report.effect_words import change_phrase
    from model.report.effects_html import effects_section, untried_effects

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiaryWarning)
        capped = analyze(read_diary(example_diary()), draws=300, tune=300, chains=2, seed=0,
                         profile=Profile(max_elemental_mg=250, age=30, egfr=90))
    tried = {e.form for e in capped.effects if e.tried}
    shown = untried_effects(capped)
    outcomes = {e.outcome for e in capped.effects}
    assert tried and len(shown) == (len(FORMS) - len(tried)) * len(outcomes)
    assert {e.regimen.elemental_mg for e in shown} == {250.0}
    section = unescape(effects_section(capped))
    assert "Forms you have not taken, at 250 mg" in section and "at 300 mg" not in section
    at_300 = analysis.effects.get("taurate", "sol")
    at_250 = capped.effects.get("taurate", "sol")
    assert change_phrase(at_250) in section and abs(at_250.mean) < abs(at_300.mean)
    # no lower ceiling: the untried forms at the reference dose
    assert {e.regimen.elemental_mg for e in untried_effects(analysis)} == {300.0}


def test_no_progress_reaches_pymcs_sampler_too(monkeypatch):
    """MGSLEEP_NO_PROGRESS turned nutpie's display off, while --sampler pymc drew its bar."""
    import pymc as pm

    from model.core.progress import NO_PROGRESS
    from model.inference.sampling import SamplerConfig, run_nuts

    class Seen(Exception):
        pass

    def sample(**kwargs):
        raise Seen(kwargs["progressbar"])

    monkeypatch.setenv(NO_PROGRESS, "1")
    monkeypatch.setattr(pm, "sample", sample)
    with pm.Model() as model:
        pm.Normal("x")
    with pytest.raises(Seen) as seen:
        run_nuts(model, SamplerConfig(sampler="pymc", progressbar=True, draws=10, tune=10))
    assert seen.value.args == (False,)
