"""Issue 18, items 1-3 and 7-10, and the CLI boundary: nothing lost, no traceback.

Every command here fails before any fitting, so the file runs in seconds.
"""

import datetime as dt
import os
import shutil
import stat
import tempfile
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest

from model.cli import analyze as analyze_cmd
from model.cli import population as population_cmd
from model.cli.main import main
from model.core.atomic import check_outputs, write_all
from model.core.errors import DiaryError, InputError
from model.core.paths import default_priors_dir
from model.data.diary import read_diary
from model.data.profile import ProfileWarning

DIARY = "date,form,elemental_mg,sol_min\n2026-01-01,,,30\n2026-01-02,glycinate,200,25\n"


def one_line(capsys, command: str) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mgsleep {command}: error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def diary(tmp_path) -> Path:
    path = tmp_path / "diary.csv"
    path.write_text(DIARY)
    return path


# --- item 1: population --write-priors never deletes what it did not create ---------------------
def test_write_priors_into_the_diaries_folder_is_refused_before_fitting(tmp_path, capsys):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.csv").write_text(DIARY)
    (folder / "keep.txt").write_text("mine")
    before = snapshot(folder)
    assert main(["population", str(folder), "--write-priors", str(folder)]) == 2
    assert "is, contains or lies inside the input DIR_OF_DIARIES" in one_line(capsys, "population")
    assert main(["population", str(folder), "--write-priors", str(tmp_path)]) == 2
    assert snapshot(folder) == before


def test_write_priors_refuses_a_non_empty_folder_or_a_file_without_force(tmp_path, capsys):
    folder, out = tmp_path / "d", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["population", str(folder), "--write-priors", str(out)]) == 2
    assert "is not empty; give a new folder, or --force" in one_line(capsys, "population")
    assert main(["population", str(folder), "--write-priors", str(out / "notes.txt")]) == 2
    assert "is a file" in one_line(capsys, "population")
    assert (out / "notes.txt").read_text() == "mine"


def test_force_replaces_only_the_priors_files(tmp_path, monkeypatch):
    def fake_write_priors(fit, directory):
        shutil.copytree(default_priors_dir(), directory)
        return Path(directory)

    monkeypatch.setattr("model.population.hierarchical.write_priors", fake_write_priors)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "settings.toml").write_text("old")
    population_cmd.write_priors_into(None, str(out))
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "settings.toml").read_bytes() == (default_priors_dir() / "settings.toml"
                                                    ).read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]        # no staging left behind


# --- item 2: an output never overwrites an input or another output ------------------------------
@pytest.mark.parametrize("extra", [["--json", "{diary}"], ["--report", "{diary}"],
                                   ["--json", "{out}", "--report", "{out}"],
                                   ["--profile", "{profile}", "--json", "{profile}"]])
def test_analyze_refuses_outputs_that_clash_before_fitting(tmp_path, diary, capsys, extra):
    profile = tmp_path / "p.toml"
    profile.write_text("egfr = 80\n")
    args = [a.format(diary=diary, out=tmp_path / "x.json", profile=profile) for a in extra]
    before = snapshot(tmp_path)
    assert main(["analyze", str(diary), *args]) == 2
    line = one_line(capsys, "analyze")
    assert "would be overwritten" in line or "give each output its own file" in line
    assert snapshot(tmp_path) == before


def test_plan_refuses_one_file_for_two_outputs(tmp_path, capsys):
    out = tmp_path / "x"
    assert main(["plan", "--forms", "glycinate", "--out", str(out), "--ics", str(out)]) == 2
    assert "--ics: " in one_line(capsys, "plan") and not out.exists()


def test_a_fifo_is_refused_and_a_symlink_is_written_through(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        check_outputs({"--json": fifo}, {})
    target, link = tmp_path / "target.json", tmp_path / "link.json"
    target.write_text("old")
    link.symlink_to(target)
    write_all([(link, "new")])
    assert link.is_symlink() and target.read_text() == "new"


def test_a_diary_and_a_link_to_it_share_one_lock(tmp_path):
    """An audit: six ``log`` commands at once, three through a symbolic link, took two
    different locks and lost the three nights logged by the file's own name."""
    from model.core.lock import exclusive, lock_path

    diary, link = tmp_path / "d.csv", tmp_path / "link.csv"
    diary.write_text(DIARY)
    link.symlink_to(diary)
    assert lock_path(link) == lock_path(diary)
    with exclusive(diary), pytest.raises(InputError, match="another mgsleep command"):
        with exclusive(link, wait=0.1):
            pass


def test_two_outputs_on_standard_output_are_refused(tmp_path, capsys):
    """An audit: ``--json - --report -`` wrote the HTML report and then the JSON to standard
    output, neither readable on its own."""
    with pytest.raises(InputError, match="--report: - is also the output of --json"):
        check_outputs({"--json": "-", "--report": "-"}, {})
    check_outputs({"--json": "-", "--report": str(tmp_path / "r.html")}, {})
    assert main(["plan", "--forms", "glycinate", "--out", "-", "--json", "-"]) == 2
    assert "--json: - is also the output of --out" in one_line(capsys, "plan")


def test_an_output_in_a_read_only_folder_is_refused_before_any_work(tmp_path, monkeypatch):
    """An audit: ``analyze --report`` into a read-only folder fitted for 19 s, then named a
    temporary file (``.r2.html.10145.kgleepn1.tmp: Read-only file system``)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder
                        else real_access(p, mode))  # root ignores a folder's mode bits
    with pytest.raises(InputError, match=f"--report: {folder / 'r.html'} cannot be written: "
                       f"its folder {folder} is read-only"):
        check_outputs({"--report": folder / "r.html"}, {})


def test_priors_json_into_the_priors_dir_is_refused(priors_copy, capsys):
    assert main(["priors", "--priors", str(priors_copy), "--json",
                 str(priors_copy / "settings.toml")]) == 2
    assert "is a file of the input --priors" in one_line(capsys, "priors")


# --- item 3: outputs are written as a set ------------------------------------------------------
def test_a_failure_before_the_renames_changes_nothing_and_leaves_no_temporary(tmp_path,
                                                                                monkeypatch):
    first, second = tmp_path / "report.html", tmp_path / "result.json"
    first.write_text("old report")
    real_replace = os.replace

    def fail_on_second(src, dst):
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(os, "replace", fail_on_second)
    with pytest.raises(OSError):
        write_all([(first, "new report"), (second, "{}")])
    monkeypatch.setattr(os, "replace", real_replace)
    assert first.read_text() == "old report" and not second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_temporaries_of_dead_processes_are_swept(tmp_path):
    target = tmp_path / "out.json"
    dead = tmp_path / ".out.json.999999999.abc.tmp"      # no such pid
    alive = tmp_path / f".out.json.{os.getpid()}.abc.tmp"  # a concurrent writer
    dead.write_text("litter")
    alive.write_text("in progress")
    write_all([(target, "{}")])
    assert not dead.exists() and alive.exists() and target.read_text() == "{}"


def test_a_file_with_a_very_long_name_can_be_written_and_logged(tmp_path):
    # .<name>.<pid>.<random>.tmp passed the 255-byte limit: such a diary could never be logged
    name = "d" * 240 + ".csv"
    assert main(["log", str(tmp_path / name), "--date", "2024-03-01", "--sol", "20"]) == 0
    assert main(["log", str(tmp_path / name), "--date", "2024-03-02", "--sol", "25"]) == 0
    write_all([(tmp_path / ("r" * 250 + ".json"), "{}")])
    assert (tmp_path / ("r" * 250 + ".json")).read_text() == "{}"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_set_interrupted_between_renames_is_finished_by_the_next_write(tmp_path):
    import json

    report, result = tmp_path / "report.html", tmp_path / "result.json"
    report.write_text("new")                                   # renamed before the kill
    result.write_text("old")
    pending = tmp_path / ".result.json.999999999.x.tmp"         # not yet renamed
    pending.write_text("new")
    journal = tmp_path / ".mgsleep-set.999999999.x.json"
    journal.write_text(json.dumps([[str(tmp_path / ".report.html.999999999.y.tmp"),
                                    str(report)], [str(pending), str(result)]]))
    write_all([(tmp_path / "other.csv", "x")])
    assert report.read_text() == result.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.csv", "report.html",
                                                          "result.json"]


# --- the CLI boundary: exit 2 and one line, before any work -------------------------------------
@pytest.mark.parametrize(("argv", "says"), [
    (["analyze", "{diary}", "--draws", "0"], "--draws"),
    (["analyze", "{diary}", "--draws", "-10"], "--draws"),
    (["analyze", "{diary}", "--chains", "0"], "--chains"),
    (["analyze", "{diary}", "--chains", "1"], "from 2 to 64 (the fit's checks compare chains)"),
    (["demo", "--chains", "1"], "the fit's checks compare chains"),
    (["analyze", "{diary}", "--seed", "-1"], "--seed"),
    (["analyze", "{diary}", "--seed", str(2**70)], "--seed"),
    (["nof1", "{diary}", "--outcome", "y", "--treatment", "t", "--baseline", "a", "--draws",
      "0"], "--draws"),
    (["nof1", "{diary}", "--outcome", "y", "--treatment", "t", "--baseline", "a", "--chains",
      "1"], "the fit's checks compare chains"),
    (["population", "{tmp}", "--workers", "-3"], "--workers"),
    (["plan", "--forms", "glycinate", "--start", "9999-12-01"], "--start"),
    (["simulate", "--persona", "responder", "--start", "2026-13-01", "--out", "-"], "--start"),
    (["simulate", "--persona", "responder", "--out", "{diary}"], "may be your own diary"),
    (["priors", "--explain", "glycinat:quality"], "did you mean 'glycinate'"),
    (["demo", "--out", "{diary}"], "is a file; give a folder"),
    (["population", "{tmp}", "--write-priors", "{diary}"], "is a file"),
    (["analyze", "{diary}", "--as-of", "2026-02-30"], "--as-of"),
])
def test_user_errors_exit_2_with_one_line(tmp_path, diary, capsys, argv, says):
    args = [a.format(diary=diary, tmp=tmp_path) for a in argv]
    try:
        code = main(args)
    except SystemExit as exit:  # argparse's usage errors end the parse with SystemExit(2)
        code = exit.code
    assert code == 2
    assert says in one_line(capsys, args[0])


def test_simulate_replaces_an_existing_file_only_with_force(tmp_path, diary):
    before = diary.read_text()
    assert main(["simulate", "--persona", "responder", "--nights", "9", "--out",
                 str(diary)]) == 2
    assert diary.read_text() == before
    assert main(["simulate", "--persona", "responder", "--nights", "9", "--out", str(diary),
                 "--force"]) == 0
    assert len(diary.read_text().splitlines()) == 10


@pytest.mark.parametrize(("text", "says"), [
    ("egfr = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    (b"egfr = 80\nconditions = ['caf\xe9']\n", "not UTF-8"),
    ("egfr = nan\n", "expected a finite number"),
    ('medications = ["levothyroxin"]\n', "did you mean 'levothyroxine'"),
])
def test_a_bad_profile_exits_2_before_fitting(tmp_path, diary, capsys, text, says):
    profile = tmp_path / "p.toml"
    profile.write_bytes(text if isinstance(text, bytes) else text.encode())
    assert main(["analyze", str(diary), "--profile", str(profile)]) == 2
    assert says in one_line(capsys, "analyze")


def test_nan_in_a_priors_dir_exits_2(priors_copy, capsys):
    path = priors_copy / "safety.toml"
    path.write_text(path.read_text().replace("limit = 0.10", "limit = nan"))
    assert main(["priors", "--priors", str(priors_copy)]) == 2
    assert "key gi_constraint.limit: expected a finite number" in one_line(capsys, "priors")


# --- items 7-10: diaries ------------------------------------------------------------------------
def test_a_bom_diary_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + DIARY.encode())
    assert read_diary(path).n_recorded == 2


@pytest.mark.parametrize(("body", "where"), [
    (DIARY + "2026-01-03,,,20,extra\n", "row 3: expected 4 fields"),
    (DIARY + "2026-01-03,glycinate,200,caf\xe9\n", "row 3, column sol_min: expected UTF-8"),
])
def test_diary_faults_name_the_data_row(tmp_path, body, where):
    path = tmp_path / "d.csv"
    path.write_bytes(body.encode("latin-1"))
    with pytest.raises(DiaryError) as error:
        read_diary(path)
    assert f"{path}: {where}" in str(error.value)


def test_binary_garbage_is_a_diary_error_not_a_traceback(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 4)                    # a stray carriage return, NUL
    # 0x80 is in the first cell of the first data row of a tab-separated file (column 2 was
    # counted with the separator of a file that could not be decoded: a comma)
    with pytest.raises(DiaryError, match="row 1, column 1: expected UTF-8 text"):
        read_diary(path)


def test_diary_limits_on_rows_and_span(tmp_path):
    span = tmp_path / "span.csv"
    span.write_text("date,sol_min\n2026-01-01,20\n3026-01-01,\n")   # no outcome: a plan
    with pytest.raises(DiaryError, match="row 2, column date: expected the diary to span at "
                       "most 3650 nights"):
        read_diary(span)
    start = dt.date(2000, 1, 1)
    long = tmp_path / "long.csv"
    long.write_text("date\n" + "".join(f"{start + dt.timedelta(days=i)}\n" for i in range(3651)))
    with pytest.raises(DiaryError, match="row 3651: expected at most 3650 rows"):
        read_diary(long)


def test_diary_and_profile_warnings_reach_stderr_and_the_json(tmp_path, capsys):
    diary = tmp_path / "d.csv"
    later = dt.date.today() + dt.timedelta(days=1)     # later still is refused
    diary.write_text(f"date,bristol,sol_min\n{later},6,20\n2026-01-01,7,\n")
    result = SimpleNamespace(diary=read_diary(diary))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("max_elemental_mg: 500 mg/day is above", ProfileWarning, stacklevel=1)
    notes = analyze_cmd.input_warnings(result.diary.warnings, caught)
    err = capsys.readouterr().err
    for expected in ("column 'bristol' read as stool_bristol", "not in date order",
                     "500 mg/day is above", "outcomes recorded for nights after today"):
        assert any(expected in n for n in notes) and expected in err


def test_nof1_duplicate_times_name_file_row_and_column(tmp_path, capsys):
    data = tmp_path / "n.csv"
    data.write_text("day,t,y\n1,a,1\n2,b,2\n2,a,3\n3,b,1\n")
    assert main(["nof1", str(data), "--outcome", "y", "--treatment", "t", "--baseline", "a",
                 "--time", "day", "--ar1"]) == 2
    assert f"{data}: row 3, column day: expected distinct times" in one_line(capsys, "nof1")


# --- caches and environment (items 11, 12; read-only HOME) --------------------------------------
def test_truncated_numba_cache_files_are_discarded(tmp_path):
    import pickle

    good, cut, empty = tmp_path / "a.nbi", tmp_path / "b.nbc", tmp_path / "c.nbi"
    good.write_bytes(pickle.dumps("0.61") + pickle.dumps((1.0, {"k": 1})))
    full = pickle.dumps({"payload": list(range(100))})
    cut.write_bytes(full[: len(full) // 2])
    empty.write_bytes(b"")
    from model.inference.compile_cache import discard_broken_cache

    assert discard_broken_cache(tmp_path) == [cut, empty]
    assert good.exists() and not cut.exists() and not empty.exists()


@pytest.mark.parametrize("field", ["n_dim", "n_expanded"])
def test_a_manifest_cannot_paste_code_into_the_callbacks(field):
    from model.inference.compile_cache import check_manifest, expand_source, logp_source

    evil = "1):\n    __import__('os').system('touch /tmp/pwned')\n#"
    manifest = {"n_dim": 3, "n_expanded": 3, "names": ["x"], "slices": [[0, 3]],
                "shapes": [[3]], "reparameterized": [],
                "logp": {"shared": ["d"], "inner_key": "ab12"},
                "expand": {"shared": [], "inner_key": "cd34"}}
    assert check_manifest(manifest) is manifest
    with pytest.raises(ValueError):
        check_manifest(manifest | {field: evil})
    with pytest.raises(ValueError):
        check_manifest(manifest | {"names": ["x; import os"]})
    with pytest.raises(ValueError, match="whole-number size"):
        expand_source([], [], [], **{"n_dim": 3, "n_expanded": 3} | {field: evil})
    with pytest.raises(ValueError, match="whole-number size"):
        logp_source([], [], [], n_dim=evil)


def test_an_unwritable_home_falls_back_to_a_temporary_compile_cache(tmp_path, monkeypatch,
                                                                     capsys):
    from model.cli.environment import ensure_compile_cache

    before = os.environ.get("PYTENSOR_FLAGS")
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    monkeypatch.setenv("HOME", str(home))
    # setenv, not delenv: monkeypatch restores only what it recorded, and delenv of an unset
    # variable records nothing, so the flags ensure_compile_cache sets stayed for the rest of
    # the worker's tests; a later subprocess then compiled in the temporary folder (the
    # warm-up test of test_compile_cache.py failed so in full runs)
    monkeypatch.setenv("PYTENSOR_FLAGS", "")
    folder = ensure_compile_cache("analyze")
    assert folder is not None and f"base_compiledir={folder}" in os.environ["PYTENSOR_FLAGS"]
    assert "warning: cannot write the compile cache" in capsys.readouterr().err
    assert ensure_compile_cache("analyze") is None          # already set: left alone
    # a cache named in the flags that cannot be written (a read-only pre-built one) is
    # replaced too, keeping the other flags: PyTensor refused to start ("this is a bug")
    monkeypatch.setenv("PYTENSOR_FLAGS", f"floatX=float64,base_compiledir={home}/cache")
    assert ensure_compile_cache("analyze") == folder
    assert os.environ["PYTENSOR_FLAGS"] == f"floatX=float64,base_compiledir={folder}"
    assert f"cannot write the compile cache in {home}/cache (PYTENSOR_FLAGS " \
        "base_compiledir)" in capsys.readouterr().err
    monkeypatch.undo()
    assert os.environ.get("PYTENSOR_FLAGS") == before       # nothing left for later tests


@pytest.mark.parametrize("planted", ["open to all", "a symlink", "another user's"])
def test_a_planted_temporary_compile_cache_is_not_used(planted, tmp_path, monkeypatch, capsys):
    """The fallback folder holds pickles and source that are executed: one another user of a
    shared temporary directory made (an audit: owned by nobody, mode 777, used) is passed over
    for a new private folder; once it is gone, one of this user's own (0o700) is made and kept.
    """
    from model.cli.environment import ensure_compile_cache

    (tmp_path / "home").write_text("")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))       # ~/.pytensor cannot be written
    monkeypatch.setenv("PYTENSOR_FLAGS", "")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    uid = os.getuid()
    if planted == "another user's":                          # not root's to make in a test
        monkeypatch.setattr(os, "getuid", lambda: uid + 1)
    shared = tmp_path / "tmp" / f"mgsleep-pytensor-{os.getuid()}"
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "tmp").mkdir()
    if planted == "a symlink":
        shared.symlink_to(tmp_path / "elsewhere")
    else:
        shared.mkdir(mode=0o700)
        shared.chmod(0o777 if planted == "open to all" else 0o700)
    folder = ensure_compile_cache("analyze")
    assert folder is not None and folder not in (shared, tmp_path / "elsewhere")
    assert folder.parent == tmp_path / "tmp" and folder.name.startswith("mgsleep-pytensor-")
    assert stat.S_IMODE(folder.lstat().st_mode) == 0o700
    assert os.environ["PYTENSOR_FLAGS"] == f"base_compiledir={folder}"
    assert f"using {folder} instead ({shared} is not" in capsys.readouterr().err
    shared.unlink() if shared.is_symlink() else shared.rmdir()
    monkeypatch.setattr(os, "getuid", lambda: uid)
    own = tmp_path / "tmp" / f"mgsleep-pytensor-{uid}"
    for _ in range(2):                                      # made, then reused
        monkeypatch.setenv("PYTENSOR_FLAGS", "")
        assert ensure_compile_cache("analyze") == own
    assert stat.S_IMODE(own.lstat().st_mode) == 0o700


LAZY_DASK = """
import sys
from model.cli.environment import lazy_dask_probe
assert lazy_dask_probe() and not lazy_dask_probe()     # installed once
import numpy as np, xarray as xr
plain = xr.DataArray(np.arange(3.0), dims="x", coords={"x": [1, 2, 3]})
assert "dask.array" not in sys.modules and plain.chunks is None
assert "dask.base" not in sys.modules and plain.sum().item() == 3.0
import dask.array as da
lazy = xr.DataArray(da.ones(4, chunks=2), dims="y")    # once Dask is loaded, it is seen
assert lazy.chunks == ((2, 2),) and float(lazy.sum()) == 4.0
print("ok")
"""


def test_xarray_asks_about_dask_arrays_without_importing_dask_until_it_is_used():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", LAZY_DASK], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_a_folder_that_is_a_file_is_named_so(tmp_path):
    """A cache or output folder that is a file said "[Errno 17] File exists"."""
    (tmp_path / "cache").write_text("a file")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder") as caught:
        write_all([(tmp_path / "cache" / "fit.npz", b"x")])
    assert caught.value.filename == str(tmp_path / "cache")


def test_an_unwritable_home_gives_matplotlib_a_private_folder(tmp_path, monkeypatch):
    """Matplotlib printed two long lines of its own under a read-only home (a sysadmin's audit)."""
    from model.cli.environment import ensure_plot_config

    (tmp_path / "home").write_text("")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
        monkeypatch.setenv(name, "")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    folder = ensure_plot_config()
    assert folder == tmp_path / "tmp" / f"mgsleep-matplotlib-{os.getuid()}"
    assert os.environ["MPLCONFIGDIR"] == str(folder)
    assert stat.S_IMODE(folder.lstat().st_mode) == 0o700
    assert ensure_plot_config() is None                      # MPLCONFIGDIR set: left alone
    monkeypatch.setenv("HOME", str(tmp_path / "writable"))   # made by Matplotlib when needed
    monkeypatch.setenv("MPLCONFIGDIR", "")
    assert ensure_plot_config() is None
    assert not (tmp_path / "writable").exists()              # nothing made for a command
