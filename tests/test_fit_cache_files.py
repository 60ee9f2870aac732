"""The analysis cache's files: one temporary per write, litter of killed runs swept, and a
warning that says what the next run starts from. No sampling: a stand-in model is cached."""

import dataclasses
import os
import re
import time
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from model.analysis import fit_cache
from model.analysis.fit_cache import CacheWarning, cache_key, fit_with_cache
from model.data.diary import read_diary
from model.inference.diagnostics import Diagnostics
from model.personal.store import CONFIG_KEYS, Groups, SavedFit, load_fit, save_fit

DIARY = "date,form,elemental_mg,sol_min\n2026-01-01,,,30\n2026-01-02,,,25\n2026-01-03,,,20\n"


@pytest.fixture
def diary(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text(DIARY)
    return read_diary(path)


class StandIn:
    """Fits, updates, saves and loads like a PersonalModel, without any sampling."""

    previous = None          # what load() finds in the cache (None: nothing usable)
    save_error: OSError | None = None
    seen: ClassVar[list[list[str]]] = []

    def __init__(self, priors=None, **config):
        self.diary_, self.method_ = None, "fit"

    def fit(self, diary):
        self.diary_ = diary
        return self

    def update(self, later):
        updated = StandIn()
        updated.diary_, updated.method_ = later, "psis"
        return updated

    def save(self, path):
        path = Path(path)
        StandIn.seen.append([str(path), *sorted(p.name for p in path.parent.iterdir())])
        if StandIn.save_error is not None:
            raise StandIn.save_error

    @classmethod
    def load(cls, path, priors):
        return cls.previous


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr(fit_cache, "PersonalModel", StandIn)
    monkeypatch.setattr(StandIn, "previous", None)
    monkeypatch.setattr(StandIn, "save_error", None)
    monkeypatch.setattr(StandIn, "seen", [])
    return StandIn


def test_a_fit_is_written_through_one_temporary_named_for_its_process(diary, priors, tmp_path,
                                                                      monkeypatch):
    nights = len(diary.nights)
    saved = SavedFit({k: None for k in CONFIG_KEYS}, diary, Groups({}, {}), nights,
                     Diagnostics(True, 1.0, 1000.0, 0), "nuts",
                     Diagnostics(True, 1.0, 1000.0, 0))
    cache = tmp_path / "cache"
    path = cache / "fit.npz"
    real_savez, during = np.savez, []

    def spy(stream, *args, **kwargs):
        during.extend(sorted(p.name for p in cache.iterdir()))
        real_savez(stream, *args, **kwargs)

    monkeypatch.setattr(np, "savez", spy)
    save_fit(saved, priors, path)
    (temporary,) = during                                   # one, not a temporary's temporary
    assert re.fullmatch(rf"\.fit\.npz\.{os.getpid()}\.\w{{8}}\.tmp", temporary)
    assert [p.name for p in cache.iterdir()] == ["fit.npz"]
    assert load_fit(path, priors).diary.nights.equals(diary.nights)


def _saved(diary) -> SavedFit:
    """A fit of ``diary`` with no draws, as :func:`save_fit` takes it."""
    return SavedFit({k: None for k in CONFIG_KEYS}, diary, Groups({}, {}), len(diary.nights),
                    Diagnostics(True, 1.0, 1000.0, 0), "nuts", Diagnostics(True, 1.0, 1000.0, 0))


def test_a_long_note_costs_the_cached_fit_nothing(priors, tmp_path):
    """Text was kept as numpy strings, 4 bytes per character of the longest cell on every night
    (an audit: one 50 MB note in a 60-night diary made a 12.6 GB file); then as its UTF-8 bytes;
    now notes are not kept at all (a privacy audit), and the other text is read back."""
    note = "woke at 3; Mg-Glycinat \u00fc \u7761\u7720 " * 152_000      # 5 MB of UTF-8
    lines = [f"2026-01-{day:02d},glycinate,200,{20 + day},{note if day == 4 else ''}"
             for day in range(1, 11)]
    source = tmp_path / "diary.csv"
    source.write_text("date,form,elemental_mg,sol_min,notes\n" + "\n".join(lines) + "\n")
    diary = read_diary(source)
    save_fit(_saved(diary), priors, tmp_path / "fit.npz")
    assert (tmp_path / "fit.npz").stat().st_size < source.stat().st_size / 100
    nights = load_fit(tmp_path / "fit.npz", priors).diary.nights
    assert nights.equals(diary.nights.assign(notes="")) and nights["form"].iloc[3] == "glycinate"


def test_a_cached_fit_of_an_earlier_build_still_loads(diary, priors, tmp_path):
    """Files of the same format version written before text was stored as UTF-8 bytes hold
    numpy strings: they are read as they are, not refitted."""
    diary = dataclasses.replace(diary, nights=diary.nights.assign(notes=["", "late \u00e9", ""]))
    save_fit(_saved(diary), priors, tmp_path / "fit.npz")
    with np.load(tmp_path / "fit.npz") as stored:
        arrays = {k: stored[k] for k in stored.files if not k.startswith("diary_ends/")}
    for column in ("form", "device", "notes", "other_change", "exclude"):  # the text columns
        arrays[f"diary/{column}"] = diary.nights[column].fillna("").to_numpy().astype(str)
    np.savez(tmp_path / "earlier.npz", **arrays)
    assert load_fit(tmp_path / "earlier.npz", priors).diary.nights.equals(diary.nights)


def test_the_cache_is_handed_the_file_itself_not_a_temporary(diary, priors, tmp_path, stand_in):
    fit_with_cache(diary, priors, {}, tmp_path)
    ((path, *listing),) = stand_in.seen
    assert path == str(tmp_path / f"{cache_key(diary.source, priors, {})}.npz")
    assert listing == ["diary.csv"]                          # no temporary made beforehand


def test_temporaries_of_killed_runs_are_swept_from_the_cache(diary, priors, tmp_path, stand_in):
    cache = tmp_path / "cache"
    cache.mkdir()
    key = "0123456789abcdef0123456789abcdef"
    dead = cache / f".{key}.npz.999999999.abcd1234.tmp"      # a run killed while writing
    running = cache / f".{key}.npz.{os.getpid()}.abcd1234.tmp"  # a run writing now
    old = [cache / f"..{key}.npz.ab12cd34.tmp.tmp", cache / f".{key}.npz.ab12cd34.tmp"]
    recent = cache / f"..{key}.npz.zz12cd34.tmp.tmp"           # an earlier build, writing now
    for litter in (dead, running, *old, recent):
        litter.write_bytes(b"x" * 1000)
    for litter in old:                                        # earlier builds, two hours ago
        os.utime(litter, (time.time() - 7200, time.time() - 7200))
    fit_with_cache(diary, priors, {}, cache)
    assert sorted(p.name for p in cache.iterdir()) == sorted([running.name, recent.name])


def test_a_fit_that_cannot_be_kept_says_the_next_run_fits_from_scratch(diary, priors,
                                                                         tmp_path, stand_in):
    stand_in.save_error = OSError(28, "No space left on device")
    with pytest.warns(CacheWarning, match=r"could not keep the fit in .*No space left on "
                      r"device.*; the next run will fit from scratch$"):
        fit_with_cache(diary, priors, {}, tmp_path)


def test_a_fit_that_cannot_be_kept_says_the_next_run_starts_from_the_older_one(diary, priors,
                                                                                tmp_path,
                                                                                stand_in):
    older = StandIn()
    older.diary_ = dataclasses.replace(diary, nights=diary.nights.iloc[:2])
    stand_in.previous = older
    (tmp_path / f"{cache_key(diary.source, priors, {})}.npz").write_bytes(b"older fit")
    stand_in.save_error = OSError(28, "No space left on device")
    with pytest.warns(CacheWarning, match=r"; the next run will start again from the older "
                      r"cached fit there \(2 nights\), updating it$"):
        _, how = fit_with_cache(diary, priors, {}, tmp_path)
    assert how == "psis"
