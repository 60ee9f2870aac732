"""An outside privacy audit (findings 1, 2, 3, 5, 6, 10): the fit cache is private to its user
(a folder of its own in a shared one, 0o700 folders, 0o600 fits without the diary's notes;
a planted or foreign file is never read nor written through, nor removed by the size trim),
and outputs are no more open than the diary or profile they come from. No sampling: the
stand-in of ``tests/test_fit_cache_files.py`` fits, a fit without draws is saved."""

import dataclasses
import os
import stat
import types
import zipfile
from pathlib import Path

import pytest

from model.analysis.fit_cache import CacheWarning, cache_key, default_cache_dir, fit_with_cache
from model.cli.main import main
from model.core.atomic import write_all
from model.data.diary import read_diary
from model.personal.store import load_fit, save_fit
from tests.test_fit_cache_files import StandIn, _saved, stand_in  # noqa: F401 (a fixture)

NOTE = "SECRETNOTE argued with spouse"
DIARY = (f"date,form,elemental_mg,sol_min,notes\n2026-01-01,,,30,{NOTE}\n2026-01-02,,,25,\n"
         "2026-01-03,,,20,\n")
ROOT_ONLY = pytest.mark.skipif(os.getuid() != 0, reason="only root can give a file away")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask():
    """The umask of the audit (022): what a file is made with unless told otherwise."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.fixture
def diary(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text(DIARY)
    return read_diary(path)


@pytest.fixture
def saving(stand_in, priors, monkeypatch):  # noqa: F811 (the imported fixture)
    """The stand-in, saving a real file (a fit without draws: :func:`save_fit`)."""
    monkeypatch.setattr(stand_in, "save", lambda self, path: save_fit(_saved(self.diary_), priors,
                                                                      Path(path)))
    return stand_in


def test_a_shared_folder_keeps_each_users_fits_in_a_private_folder_of_their_own(
        diary, priors, tmp_path, saving):
    """Finding 1: fits in a 1777 folder were 0644, readable and replaceable by any user."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    fit_with_cache(diary, priors, {}, shared)
    own = shared / f"mgsleep-{os.getuid()}"
    fit = own / f"{cache_key(diary.source, priors, {})}.npz"
    assert [p.name for p in shared.iterdir()] == [own.name] and mode(own) == 0o700
    assert [p.name for p in own.iterdir()] == [fit.name] and mode(fit) == 0o600


def test_without_a_private_folder_the_fit_is_not_kept_and_one_warning_says_why(
        diary, priors, tmp_path, saving):
    """Another user's folder planted at the per-user name (here a link) is not used."""
    shared, elsewhere = tmp_path / "shared", tmp_path / "elsewhere"
    shared.mkdir()
    shared.chmod(0o1777)
    elsewhere.mkdir(mode=0o700)
    (shared / f"mgsleep-{os.getuid()}").symlink_to(elsewhere)
    with pytest.warns(CacheWarning) as caught:
        _, how = fit_with_cache(diary, priors, {}, shared)
    assert how == "fit" and not list(elsewhere.iterdir()) and len(caught) == 1
    assert str(caught[0].message) == (
        f"no fit cache in this run: {shared} is not private to this user (others can write it "
        f"(mode 1777)) and mgsleep-{os.getuid()} in it is not either (it is a symbolic link); "
        "the fit is made from scratch and not kept")


def test_the_folders_the_cache_makes_are_private(diary, priors, tmp_path, saving, monkeypatch):
    """Finding 3: ~/.cache/mgsleep/fits was made drwxr-xr-x and its fits -rw-r--r--."""
    monkeypatch.delenv("MGSLEEP_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    fit_with_cache(diary, priors, {}, default_cache_dir())
    made = [tmp_path / "xdg", tmp_path / "xdg" / "mgsleep", tmp_path / "xdg" / "mgsleep" / "fits"]
    assert [mode(folder) for folder in made] == [0o700] * 3
    assert [mode(fit) for fit in made[-1].iterdir()] == [0o600]


def _planted(path: Path, how: str, victim: Path) -> None:
    if how == "a symbolic link":
        path.symlink_to(victim)
        return
    path.write_bytes(b"a fit made to change the advice")
    if how == "another user's":
        os.chown(path, 12345, 12345)
    else:
        path.chmod(0o666)


@pytest.mark.parametrize("how", ["a symbolic link", "open to all",
                                 pytest.param("another user's", marks=ROOT_ONLY)])
def test_a_planted_fit_is_never_read_nor_written_through(how, diary, priors, tmp_path, saving):
    """Findings 1 and 2: a fit planted at a key was trusted (advice reversed), and a link there
    made the new fit overwrite the victim's own file."""
    cache, victim = tmp_path / "cache", tmp_path / "precious.txt"
    cache.mkdir(mode=0o700)
    victim.write_text("A's precious file")
    path = cache / f"{cache_key(diary.source, priors, {})}.npz"
    _planted(path, how, victim)
    saving.previous = StandIn().fit(diary)       # what loading the planted file would give
    with pytest.warns(CacheWarning, match=rf"ignored the cached fit {path}: (it is a symbolic "
                      r"link|it belongs to another user \(uid 12345\)|others can write it \(mode "
                      r"0666\)); it is not read, and the new fit replaces it"):
        _, how_made = fit_with_cache(diary, priors, {}, cache)
    assert how_made == "fit" and victim.read_text() == "A's precious file"
    assert stat.S_ISREG(path.lstat().st_mode) and path.lstat().st_uid == os.getuid()
    assert mode(path) == 0o600 and load_fit(path, priors).diary.n_nights == 3


def test_the_cached_fit_keeps_no_note_and_no_folder(diary, priors, tmp_path, saving):
    """Findings 3 and 6: the fit held every free-text note and the diary's absolute path, and a
    note deleted from the diary stayed in it. Reuse still ignores the notes."""
    fit_with_cache(diary, priors, {}, tmp_path / "cache")
    (path,) = (tmp_path / "cache").iterdir()
    with zipfile.ZipFile(path) as stored:
        held = b"".join(stored.read(name) for name in stored.namelist())
    assert NOTE.encode() not in held and str(tmp_path).encode() not in held
    saved = load_fit(path, priors).diary
    assert saved.source == "diary.csv" and set(saved.nights["notes"]) == {""}
    edited = dataclasses.replace(diary, nights=diary.nights.assign(notes="ok"))
    saving.previous = types.SimpleNamespace(diary_=saved)
    assert fit_with_cache(edited, priors, {}, tmp_path / "cache")[1] == "cached"


@ROOT_ONLY
def test_the_size_limit_removes_this_users_fits_only(diary, priors, tmp_path, saving,
                                                     monkeypatch):
    """Finding 10: the trim removed (or, in a sticky folder, tried to remove) others' fits."""
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    mine, theirs = cache / ("a" * 32 + ".npz"), cache / ("b" * 32 + ".npz")
    for fit in (mine, theirs):
        fit.write_bytes(b"x" * 2**20)
        os.utime(fit, (0, 0))                      # least recently used
    os.chown(theirs, 12345, 12345)
    monkeypatch.setenv("MGSLEEP_CACHE_LIMIT_MB", "0.5")
    fit_with_cache(diary, priors, {}, cache)
    assert theirs.exists() and not mine.exists()


@pytest.mark.parametrize(("before", "diary_mode", "after"),
                         [(None, 0o600, 0o600), (None, 0o640, 0o640), (None, 0o666, 0o644),
                          (0o640, 0o604, 0o600), (0o600, 0o644, 0o600), (None, 0o444, 0o644)])
def test_an_output_is_no_more_open_than_its_input(before, diary_mode, after, tmp_path):
    """Finding 5: a report of a 0600 diary was made 0644 (a new file: the umask's mode; a
    replaced one keeps its own; either way, less what the diary does not allow)."""
    source, out = tmp_path / "diary.csv", tmp_path / "report.html"
    source.write_text(DIARY)
    source.chmod(diary_mode)
    if before is not None:
        out.write_text("old")
        out.chmod(before)
    write_all([(out, "new")], like=[source, None, "-"])
    assert mode(out) == after and out.read_text() == "new"


def test_analyze_writes_a_private_profiles_results_privately(tmp_path, monkeypatch, capsys):
    """Finding 5: with the profile chmod 600 (conditions, medicines), the outputs were 0644.
    The analysis itself is stood in for: only where its result is written is checked."""
    from model.analysis import pipeline

    result = types.SimpleNamespace(diary=types.SimpleNamespace(warnings=()),
                                   to_json=lambda: {"stood": "in"},
                                   fit=types.SimpleNamespace(
                                       diagnostics_=types.SimpleNamespace(ok=True)))
    monkeypatch.setattr(pipeline, "analyze", lambda *args, **kwargs: result)
    monkeypatch.setattr("model.cli.analyze.print_summary", lambda result, since: None)
    (tmp_path / "diary.csv").write_text(DIARY)
    (tmp_path / "me.toml").write_text("age = 41\n")
    (tmp_path / "me.toml").chmod(0o600)
    assert main(["analyze", str(tmp_path / "diary.csv"), "--profile", str(tmp_path / "me.toml"),
                 "--json", str(tmp_path / "r.json"), "--no-cache"]) == 0
    assert mode(tmp_path / "r.json") == 0o600


def test_a_blind_plans_key_is_private_and_its_diary_unblinded_as_private(tmp_path, capsys):
    """Finding 5: the sealed key (its salt) was 0644, and so were the unblinded diary of a
    0600 diary and the plan of a 0600 profile."""
    plan, key = tmp_path / "plan.csv", tmp_path / "plan.key.json"
    assert main(["plan", "--forms", "glycinate", "--blind", "--out", str(plan)]) == 0
    assert (mode(plan), mode(key)) == (0o644, 0o600)
    plan.chmod(0o600)
    assert main(["unblind", str(plan), "--key", str(key), "--out",
                 str(tmp_path / "open.csv")]) == 0
    assert mode(tmp_path / "open.csv") == 0o600
    (tmp_path / "me.toml").write_text("age = 41\n")
    (tmp_path / "me.toml").chmod(0o600)
    assert main(["plan", "--forms", "glycinate", "--out", str(tmp_path / "second.csv"),
                 "--profile", str(tmp_path / "me.toml")]) == 0
    assert mode(tmp_path / "second.csv") == 0o600


def test_an_imported_diary_is_as_private_as_its_export_and_a_backup_never_more_open(
        tmp_path, capsys, monkeypatch):
    """A diary imported from a private export, and a private diary's backup while written, were
    made with the usual mode (readable by all)."""
    export = tmp_path / "garmin-sleep.json"
    export.write_bytes((Path(__file__).parent / "data" / "import" / "garmin-sleep.json")
                       .read_bytes())
    export.chmod(0o600)
    out = tmp_path / "diary.csv"
    assert main(["import", "garmin", str(export), "--out", str(out)]) == 0
    assert mode(out) == 0o600
    from model.data import merge

    made = []
    monkeypatch.setattr(merge, "match_permissions",
                        lambda path, like: made.append(mode(path)))  # the mode as written
    assert main(["log", str(out), "--date", "2024-03-03", "--quality", "4", "--replace"]) == 0
    assert made == [0o600]
