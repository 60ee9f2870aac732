"""``mgsleep log``: append, correct with --replace, refuse bad values, ask on a terminal."""

import datetime as dt
import io
import os
import pty
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import InputError
from model.core.forms import canonical_form
from model.core.lock import exclusive
from model.data.diary import read_diary

ROOT = Path(__file__).resolve().parents[1]
START = "date,form,elemental_mg,sol_min,awakenings,quality\n2024-03-01,glycinate,200,30,2,3\n"


@pytest.fixture
def diary(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text(START)
    return path


def rows(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("date")


def test_append_a_night_keeps_a_backup(diary, capsys):
    assert main(["log", str(diary), "--date", "2024-03-02", "--form", "glycinate", "--mg",
                 "200", "--sol", "25", "--awakenings", "1", "--quality", "4"]) == 0
    assert "night 2024-03-02 added" in capsys.readouterr().out
    assert rows(diary).loc["2024-03-02", ["sol_min", "awakenings", "quality"]].tolist() == \
        ["25", "1", "4"]
    assert (diary.parent / "diary.csv.bak").read_text() == START
    assert read_diary(diary).n_recorded == 2


def test_a_night_already_there_needs_replace_to_change_a_value(diary, capsys):
    assert main(["log", str(diary), "--date", "2024-03-01", "--sol", "10"]) == 2
    err = capsys.readouterr().err
    assert "diary.csv: row 1, column sol_min: night 2024-03-01 already has 30, got 10: add " \
        "--replace to correct it" in err
    assert diary.read_text() == START
    assert main(["log", str(diary), "--date", "2024-03-01", "--sol", "10", "--replace"]) == 0
    corrected = rows(diary).loc["2024-03-01"]
    assert corrected[["form", "sol_min", "awakenings"]].tolist() == ["glycinate", "10", "2"]


def test_another_spelling_of_the_nights_form_is_the_same_form(tmp_path, capsys):
    """A user audit: a supplement import wrote "Mg bisglycinate", and ``log --form glycinate``
    for the same night was refused as a different value."""
    path = tmp_path / "diary.csv"
    path.write_text("date,form,elemental_mg,sol_min\n2024-03-01,Mg bisglycinate,200,\n")
    assert main(["log", str(path), "--date", "2024-03-01", "--form", "glycinate", "--mg",
                 "200", "--sol", "20"]) == 0
    assert rows(path).loc["2024-03-01", ["form", "sol_min"]].tolist() == \
        ["Mg bisglycinate", "20"]
    assert main(["log", str(path), "--date", "2024-03-01", "--form", "citrate"]) == 2
    assert "already has Mg bisglycinate, got citrate" in capsys.readouterr().err


@pytest.mark.parametrize("option, value, column, expected", [
    ("--sol", "900", "sol_min", "expected a number from 0 to 720 (minutes), got '900'"),
    ("--quality", "6", "quality", "expected a whole number from 1 to 5, got '6'"),
])
def test_bad_values_exit_2_and_leave_the_diary_intact(diary, capsys, option, value, column,
                                                      expected):
    assert main(["log", str(diary), "--date", "2024-03-02", option, value]) == 2
    err = capsys.readouterr().err
    assert f"diary.csv (not written): row 2, column {column}: {expected}" in err
    assert diary.read_text() == START
    assert not (diary.parent / "diary.csv.bak").exists()


@pytest.mark.parametrize(("option", "value"), [("--sol", "nan"), ("--quality", "NA"),
                                               ("--mg", "null")])
def test_a_blank_spelt_as_a_number_is_refused(diary, capsys, option, value):
    """A user audit: ``--sol nan`` was written, then read as a night not recorded."""
    assert main(["log", str(diary), "--date", "2024-03-02", option, value]) == 2
    err = capsys.readouterr().err
    # one prefix: "mgsleep log: error: mgsleep log: --mg: ..." said the command twice
    assert err.startswith(f"mgsleep log: error: {option}: expected a number, got {value!r}")
    assert diary.read_text() == START


@pytest.mark.parametrize("typed, meant", [("glycinat", "glycinate"),
                                           ("Magnesium Citate", "citrate")])
def test_a_misspelt_form_is_refused_with_what_was_meant(diary, capsys, typed, meant):
    assert main(["log", str(diary), "--date", "2024-03-02", "--form", typed]) == 2
    assert f"got {typed!r} (did you mean {meant!r}?)" in capsys.readouterr().err
    assert diary.read_text() == START


@pytest.mark.parametrize("label", ["Mag Glycinate", "Mg glycinate", "magnesium-glycinate",
                                   "MAGNESIUM BISGLYCINATE"])
def test_a_form_as_labels_write_it_is_read(label):
    assert canonical_form(label) == "glycinate"
    assert canonical_form("Mg") is None and canonical_form("magnesite") is None


def test_no_values_and_no_terminal_is_an_error(diary, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["log", str(diary)]) == 2
    assert "expected at least one value" in capsys.readouterr().err


def test_interactive_asks_each_field_with_the_last_regimen_as_default(diary, monkeypatch):
    answers = ["2024-03-02", "", "", "", "", "18", "0", "", "5"] + [""] * 7
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    assert main(["log", str(diary), "--interactive"]) == 0
    night = rows(diary).loc["2024-03-02"]
    assert night[["form", "elemental_mg", "sol_min", "awakenings", "quality"]].tolist() == \
        ["glycinate", "200", "18", "0", "5"]


def test_interactive_asks_again_at_once_after_an_answer_it_cannot_read(diary, monkeypatch,
                                                                         capsys):
    """A user audit: "11pm" for the minutes to fall asleep was refused only after all 16
    questions, and the whole night was lost."""
    answers = ["2024-03-02", "", "", "", "", "11pm", "35", "1", "", "4"] + [""] * 7
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    assert main(["log", str(diary), "--interactive"]) == 0
    assert ("expected a number from 0 to 720 (minutes), got '11pm'; again: minutes to fall "
            "asleep") in \
        capsys.readouterr().out
    assert rows(diary).loc["2024-03-02", ["sol_min", "awakenings", "quality"]].tolist() == \
        ["35", "1", "4"]


def test_interactive_none_records_a_night_without_magnesium(diary, monkeypatch):
    """Enter keeps the last form (its prompt says so); "none" is a night off, dose and all."""
    answers = ["2024-03-02", "none", "", "", "", "18"] + [""] * 11
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    assert main(["log", str(diary), "--interactive"]) == 0
    night = rows(diary).loc["2024-03-02"]
    assert night[["form", "elemental_mg", "sol_min"]].fillna("").tolist() == ["", "", "18"]


def test_interactive_on_a_pseudo_terminal_defaults_to_yesterday(diary):
    leader, follower = pty.openpty()
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, "-m", "model", "log", str(diary)], stdin=follower,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as child:
        os.close(follower)
        os.write(leader, b"\n" * 5 + b"12\n" + b"\n" * 10)
        out, err = child.communicate(timeout=60)
    os.close(leader)
    assert child.returncode == 0, err.decode()
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert rows(diary).loc[yesterday, ["form", "sol_min"]].tolist() == ["glycinate", "12"]
    assert b"night (date it began)" in out


def test_an_imported_night_gains_its_ratings_without_replace(diary, capsys):
    # the daily loop: the tracker gave latency and awakenings; the person adds the rest
    assert main(["log", str(diary), "--date", "2024-03-01", "--freshness", "6",
                 "--sol", "30.0"]) == 0        # the same latency written again is no change
    assert "night 2024-03-01 completed" in capsys.readouterr().out
    night = rows(diary).loc["2024-03-01"]
    assert night[["sol_min", "awakenings", "freshness"]].tolist() == ["30", "2", "6"]


def test_logs_run_at_once_keep_every_night(diary):
    # each reads, merges and renames: without a lock the last rename lost the others' nights
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([sys.executable, "-m", "model", "log", str(diary), "--date",
                              f"2024-03-{day:02d}", "--sol", str(10 + day)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for day in range(2, 8)]
    errors = [run.communicate(timeout=300)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * 6, errors
    logged = rows(diary)
    assert list(logged.index) == [f"2024-03-{day:02d}" for day in range(1, 8)]
    assert logged["sol_min"].tolist() == ["30", *(str(10 + day) for day in range(2, 8))]


def test_a_new_diary_in_a_new_folder_is_created(tmp_path):
    path = tmp_path / "new" / "diary.csv"
    assert main(["log", str(path), "--date", "2024-03-01", "--sol", "20"]) == 0
    assert rows(path).loc["2024-03-01", "sol_min"] == "20"


def test_a_second_writer_waits_for_the_lock_and_gives_up_clearly(diary):
    with exclusive(diary):
        with pytest.raises(InputError, match="another mgsleep command has been writing it"):
            with exclusive(diary, wait=0.2):
                pass
    with exclusive(diary, wait=0.2):       # released: free again
        pass


def test_an_excel_diary_keeps_its_byte_order_mark_and_line_endings(tmp_path):
    # Excel's "CSV UTF-8": without the mark it shows "süß" garbled after the next log
    path = tmp_path / "diary.csv"
    before = "\ufeffdate,form,elemental_mg,sol_min,notes\r\n2024-03-01,glycinate,200,30,süß\r\n"
    path.write_bytes(before.encode("utf-8"))
    assert main(["log", str(path), "--date", "2024-03-02", "--sol", "20"]) == 0
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbfdate,") and after.count(b"\r\n") == 3
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert (tmp_path / "diary.csv.bak").read_bytes() == before.encode("utf-8")  # byte for byte
    assert read_diary(path).nights["notes"].iloc[0] == "süß"


def test_a_semicolon_diary_is_written_back_with_semicolons_and_decimal_commas(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text("date;form;elemental_mg;sol_min\n2024-03-01;glycinate;136,5;30\n")
    assert main(["log", str(path), "--date", "2024-03-02", "--form", "glycinate", "--mg",
                 "136.5", "--sol", "20"]) == 0
    assert path.read_text() == ("date;form;elemental_mg;sol_min\n2024-03-01;glycinate;136,5;30\n"
                                "2024-03-02;glycinate;136,5;20\n")
    assert read_diary(path).nights["elemental_mg"].tolist() == [136.5, 136.5]



def test_a_diarys_own_headers_are_written_back_as_they_were(tmp_path):
    """``DaySleep``, ``Sleep Latency (min)`` were rewritten ``day_sleep``, ``sol_min`` with no
    word (/tmp/w54/s S12); a column the diary lacked is added under its name, in its place."""
    path = tmp_path / "diary.csv"
    path.write_text("Date,Form,Elemental mg,Sleep Latency (min),DaySleep,My tag\n"
                    "2024-03-01,glycinate,200,30,1,x\n")
    assert main(["log", str(path), "--date", "2024-03-02", "--sol", "20", "--day-sleep", "yes",
                 "--awakenings", "2"]) == 0
    assert path.read_text().splitlines() == [
        "Date,Form,Elemental mg,Sleep Latency (min),awakenings,DaySleep,My tag",
        "2024-03-01,glycinate,200,30,,1,x", "2024-03-02,glycinate,200,20,2,1,"]
    assert read_diary(path).nights["day_sleep"].tolist() == [1, 1]


def test_text_typed_under_a_c_locale_is_kept_as_utf8_and_undecodable_bytes_refused(diary,
                                                                                   capsys):
    """Under ``LC_ALL=C`` Python hands ``süß`` over as the surrogates of its UTF-8 bytes, and
    writing them crashed with "a bug in mgsleep"; a Latin-1 byte is refused, naming the
    option, and nothing is written."""
    typed = "süß, café".encode().decode("ascii", "surrogateescape")   # a C locale's argv
    assert main(["log", str(diary), "--date", "2024-03-02", "--sol", "25", "--notes",
                 typed]) == 0
    assert rows(diary).loc["2024-03-02", "notes"] == "süß, café"
    before = diary.read_bytes()
    assert main(["log", str(diary), "--date", "2024-03-03", "--sol", "25", "--notes",
                 "caf\udce9"]) == 2
    assert "--notes: is not UTF-8 text" in capsys.readouterr().err
    assert diary.read_bytes() == before


def test_an_unchanged_night_is_not_rewritten_and_unusual_values_are_warned(diary, capsys):
    """A user audit: logging a night's own values again said "completed (previous version:
    ...bak)" and rewrote the file; a dose of 2,000 mg and a night a year ahead went in
    without a word."""
    before = diary.read_bytes()
    assert main(["log", str(diary), "--date", "2024-03-01", "--sol", "30"]) == 0
    assert "night 2024-03-01 unchanged" in capsys.readouterr().out
    assert diary.read_bytes() == before and not diary.with_suffix(".csv.bak").exists()
    with pytest.warns(UserWarning, match="2000 mg of elemental magnesium a day is above the "
                                         "safety ceiling of 350 mg"):
        assert main(["log", str(diary), "--date", "2024-03-02", "--form", "glycinate", "--mg",
                     "2000", "--large-dose"]) == 0    # confirmed: not glycinate's compound
    ahead = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    with pytest.warns(UserWarning, match=f"night {ahead} is after today"):   # a planned dose
        assert main(["log", str(diary), "--date", ahead, "--form", "glycinate", "--mg",
                     "200"]) == 0
    assert set(rows(diary).index) == {"2024-03-01", "2024-03-02", ahead}
    before = diary.read_bytes()       # a night not slept yet has no outcome (a European audit)
    assert main(["log", str(diary), "--date", ahead, "--sol", "20"]) == 2
    assert f"got {ahead}: a year or a month mistyped?" in capsys.readouterr().err
    assert diary.read_bytes() == before


def test_a_path_typed_under_an_ascii_locale_names_the_same_file(tmp_path):
    """An audit: under ``LC_ALL=POSIX PYTHONUTF8=0`` a diary in ``my dír ü/`` crashed with a
    UnicodeEncodeError ("a bug in mgsleep"): every argument, paths too, was re-read as UTF-8
    text that the file system's ASCII encoding cannot write. A path is passed on as the
    locale decoded it (the same bytes); text (``--notes``) is still read as UTF-8."""
    script = (
        "import sys\n"
        "from model.cli.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n")
    folder = tmp_path / "my dír ü"
    folder.mkdir()
    diary = folder / "tagebuch ü.csv"
    diary.write_text(START)
    env = {**os.environ, "LC_ALL": "POSIX", "PYTHONUTF8": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, "log", os.fsencode(diary),
                           "--date", "2024-03-02", "--sol", "25", "--notes", "süß".encode()],
                          env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert rows(diary).loc["2024-03-02", "notes"] == "süß"


def test_tonights_sleep_is_warned_but_tonights_dose_is_not(diary):
    """A user audit: ``log --date <today>`` with a latency went in without a word, although a
    night is dated by the evening it begins: this morning's account is last night's."""
    today = dt.date.today().isoformat()
    with pytest.warns(UserWarning, match=f"night {today} is tonight, so its sleep is not "
                                         "known yet"):
        assert main(["log", str(diary), "--date", today, "--sol", "20"]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["log", str(diary), "--date", today, "--form", "glycinate", "--mg", "200",
                     "--anxiety", "4", "--replace"]) == 0


def test_a_night_the_profile_speaks_against_is_warned_of(diary, tmp_path, capsys):
    """``log`` checked a dose against the bundled ceiling alone: 300 mg by a person whose
    profile caps it at 200 mg, an excluded form, or magnesium logged with kidney disease,
    went in without a word (an outside audit, /tmp/hH). The night is written all the same:
    the diary records what was taken."""
    capped = tmp_path / "capped.toml"
    capped.write_text('max_elemental_mg = 200\nexcluded_forms = ["citrate"]\n')
    with pytest.warns(UserWarning, match=r"^night 2024-03-02: 300 mg of elemental magnesium is "
                      r"above your daily ceiling of 200 mg: take at most that$"):
        assert main(["log", str(diary), "--date", "2024-03-02", "--form", "glycinate",
                     "--mg", "300", "--profile", str(capped)]) == 0
    with pytest.warns(UserWarning, match="citrate is a form your profile excludes"):
        assert main(["log", str(diary), "--date", "2024-03-03", "--form", "citrate",
                     "--mg", "100", "--profile", str(capped)]) == 0
    kidneys = tmp_path / "kidneys.toml"
    kidneys.write_text("egfr = 20\n")
    with pytest.warns(UserWarning, match="your profile has a contraindication to magnesium: "
                      "stop taking it and see a clinician"):
        assert main(["log", str(diary), "--date", "2024-03-04", "--form", "glycinate",
                     "--mg", "100", "--profile", str(kidneys)]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")        # nothing to say of a night without magnesium
        assert main(["log", str(diary), "--date", "2024-03-05", "--form", "none",
                     "--profile", str(kidneys)]) == 0
    assert list(rows(diary).index[-4:]) == ["2024-03-02", "2024-03-03", "2024-03-04",
                                            "2024-03-05"]
    before = diary.read_text()
    (tmp_path / "bad.toml").write_text('egfr = "x"\n')
    assert main(["log", str(diary), "--date", "2024-03-06", "--sol", "20", "--profile",
                 str(tmp_path / "bad.toml")]) == 2
    assert "bad.toml: line 1, key egfr" in capsys.readouterr().err
    assert diary.read_text() == before


def test_a_private_diary_stays_private(diary):
    """A diary kept ``chmod 600`` became world-readable (and its backup too) when a night was
    logged into it (an outside audit): the new file and the backup keep its mode."""
    diary.chmod(0o600)
    assert main(["log", str(diary), "--date", "2024-03-02", "--sol", "25"]) == 0
    backup = diary.parent / "diary.csv.bak"
    assert (diary.stat().st_mode & 0o777, backup.stat().st_mode & 0o777) == (0o600, 0o600)
