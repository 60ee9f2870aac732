"""Inputs with no end, doses that are counts, rows that shift, rows out of date order.

An outside audit (robustness, audit F): ``analyze /dev/zero`` read 5.9 GB in 8 s and a FIFO no
one wrote to blocked for ever (finding 8); ``elemental_mg`` 2 (capsules, grams) was advised as
"Continue glycinate, 2 mg" and ``log --mg 2`` accepted (4); a value deleted with its comma
moved the rest of the row left without a word and ``log`` wrote the row back padded (3);
``log`` rewrote a diary kept newest first sorted, without a word (10b).
"""

import datetime as dt
import io
import os
import re
import sys
import threading
import time

import numpy as np
import pytest

from model.cli.main import main
from model.core import input_files
from model.core.errors import InputError
from model.core.input_files import INPUT_CAP, MB, read_input
from model.core.regimen import LEAST_PRODUCT_MG, LEAST_SUPPLEMENT_MG, small_dose
from model.data.diary import read_diary
from model.data.importers.common import EXPORT_CAP
from model.data.separators import checked_text, read_text
from model.data.short_rows import short_row_notes

HEADER = "date,form,elemental_mg,split,sol_min,awakenings,quality,freshness,anxiety,stool_bristol"
FULL = "glycinate,200,0,40,1,3,5,4,4"


def diary_text(nights=20, short=None, last=""):
    """A diary of ``nights`` full rows; row ``short`` (1-based) replaced by ``last``."""
    lines = [HEADER] + [f"2026-10-{day:02d},{FULL}" for day in range(1, nights + 1)]
    if short is not None:
        lines[short] = f"2026-10-{short:02d},{last}"
    return "\n".join(lines) + "\n"


# --- finding 8: an input is a regular file (or a pipe written to), of at most 50 MB ----------

def test_a_device_is_refused_without_being_read(capsys):
    started = time.monotonic()
    assert main(["analyze", "/dev/zero"]) == 2
    assert time.monotonic() - started < 20
    err = capsys.readouterr().err
    assert "/dev/zero: is not a regular file but a device" in err


def test_a_folder_and_a_file_over_the_cap_are_refused_naming_them(tmp_path):
    with pytest.raises(InputError, match="is not a regular file but a folder"):
        read_text(tmp_path, "a diary")
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:          # sparse: nothing written but its size
        handle.truncate(INPUT_CAP + MB)
    with pytest.raises(InputError, match=r"big.csv: is 51.0 MB, more than the 50 MB read as a "
                       r"diary: is it the right file\?"):
        read_text(big, "a diary")


def test_a_fifo_no_one_writes_to_is_refused_after_the_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(input_files, "PIPE_WAIT", 0.2)
    fifo = tmp_path / "diary.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"FIFO \(named pipe\), and nothing was written to it"):
        read_text(fifo, "a diary")
    assert time.monotonic() - started < 10


def test_a_pipe_is_refused_at_once_where_pipes_are_not_read(tmp_path):
    """A file read more than once (a profile: once to parse, once to name a fault's line)
    cannot be a pipe, which the first read empties."""
    fifo = tmp_path / "me.toml"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"me\.toml: is not a regular file but a FIFO \(named "
                       r"pipe\): expected a TOML file"):
        read_input(fifo, "a TOML file", pipes=False)
    assert time.monotonic() - started < 5


def test_a_pipe_is_read_up_to_the_cap_and_no_further(tmp_path):
    """A pipe has no size: what is read of it is bounded (``yes | mgsleep analyze /dev/stdin``)."""
    fifo = tmp_path / "endless"
    os.mkfifo(fifo)

    def write():
        try:
            with open(fifo, "wb") as pipe:
                for _ in range(INPUT_CAP // MB + 5):
                    pipe.write(b"date\n" + b"2026-10-01\n" * (MB // 11))
        except BrokenPipeError:
            pass                         # the reader stopped, as it should

    threading.Thread(target=write, daemon=True).start()
    with pytest.raises(InputError, match="endless: is more than the 50 MB read as a diary"):
        read_text(fifo, "a diary")


def test_log_refuses_a_diary_that_is_no_regular_file(tmp_path, capsys):
    fifo = tmp_path / "diary.csv"
    os.mkfifo(fifo)
    assert main(["log", str(fifo), "--date", "2026-10-01", "--sol", "30"]) == 2
    assert "diary.csv: is not a regular file but a FIFO" in capsys.readouterr().err


# --- finding 4: a dose under 25 mg is a count, grams or mmol, until confirmed ----------------

def test_a_dose_under_the_least_product_dose_is_named_with_what_it_likely_is():
    assert LEAST_SUPPLEMENT_MG == 1.0       # the grams rule, unchanged
    said = small_dose(2)
    assert said is not None
    assert "2 capsules or tablets, 2 g or 2 mmol (49 mg) meant? Write the elemental mg" in said
    assert small_dose(LEAST_PRODUCT_MG) is None and small_dose(0) is None
    assert small_dose(24.9) is not None and small_dose(200) is None
    assert small_dose(np.float64(2)) == said        # as the diary reader's doses are


@pytest.fixture
def plain(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text(diary_text(20))
    return path


def test_log_refuses_a_small_dose_unless_confirmed(plain, capsys):
    before = plain.read_text()
    assert main(["log", str(plain), "--date", "2026-10-21", "--form", "glycinate", "--mg",
                 "2", "--sol", "30"]) == 2
    assert "--mg: 2 mg of elemental magnesium is less than a supplement's dose" in \
        capsys.readouterr().err
    assert main(["log", str(plain), "--date", "2026-10-21", "--form", "glycinate",
                 "--compound-mg", "100", "--sol", "30"]) == 2
    assert "100 mg of glycinate is 14.1 mg of elemental magnesium" in capsys.readouterr().err
    assert plain.read_text() == before
    assert main(["log", str(plain), "--date", "2026-10-21", "--form", "glycinate", "--mg",
                 "2", "--sol", "30", "--small-dose"]) == 0
    assert main(["log", str(plain), "--date", "2026-10-22", "--form", "glycinate", "--mg",
                 "25", "--sol", "30"]) == 0
    assert plain.read_text().splitlines()[-2:] == ["2026-10-21,glycinate,2,,30,,,,,",
                                                   "2026-10-22,glycinate,25,,30,,,,,"]


def test_asked_a_small_dose_is_asked_again_and_kept_when_typed_again(plain, monkeypatch,
                                                                      capsys):
    answers = ["2026-10-21", "", "2", "2", ""] + [""] * 12
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    assert main(["log", str(plain), "--interactive"]) == 0
    assert "capsules or tablets" in capsys.readouterr().out
    assert plain.read_text().splitlines()[-1].startswith("2026-10-21,glycinate,2,")


# --- finding 3: a short row whose last value could be the next column's is named -------------

def test_a_value_deleted_with_its_comma_is_named_by_row_and_blank_column(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text(diary_text(20, short=16, last="glycinate,200,0,40,1,5,4,4"))
    notes = short_row_notes(checked_text(path, 3650))
    assert len(notes) == 1
    assert "diary.csv: row 16 has 9 cells for 10 columns: stool_bristol read as blank; if a " \
        "value was deleted with its separator, the values after it moved one column left" \
        in notes[0]
    assert "(...4,4,)" in notes[0]


@pytest.mark.parametrize("last", [
    "glycinate,200,0,40,1,3,5,9",      # 9 is no stool form: the row cannot have moved
    "glycinate,200,0,40,1,3,5",        # ends before anxiety, which most rows have: 5 could be it
])
def test_a_short_row_is_named_only_when_its_last_value_could_be_the_next_column(tmp_path,
                                                                                 last):
    path = tmp_path / "diary.csv"
    path.write_text(diary_text(20, short=5, last=last))
    notes = short_row_notes(checked_text(path, 3650))
    assert bool(notes) == last.endswith(",5")


def test_trailing_cells_of_a_column_mostly_left_blank_are_dropped_without_a_word(tmp_path):
    """A spreadsheet leaves out a row's empty cells at its end: a notes column written on two
    nights of twenty gives short rows that are no shift."""
    lines = [HEADER + ",notes"] + [f"2026-10-{day:02d},{FULL}" for day in range(1, 21)]
    lines[3] += ",slept badly"
    lines[9] += ",late dinner"
    path = tmp_path / "diary.csv"
    path.write_text("\n".join(lines) + "\n")
    assert short_row_notes(checked_text(path, 3650)) == []
    assert read_diary(path, today=dt.date(2026, 12, 1)).n_recorded == 20


def test_log_says_it_writes_a_short_row_padded(tmp_path, capsys):
    path = tmp_path / "diary.csv"
    path.write_text(diary_text(20, short=16, last="glycinate,200,0,40,1,5,4,4"))
    with pytest.warns(UserWarning, match=r"row 16 has 9 cells for 10 columns: stool_bristol "
                      r"read as blank.*written now with the blank cells"):
        assert main(["log", str(path), "--date", "2026-10-21", "--sol", "30"]) == 0


def test_log_writes_a_diary_without_short_rows_without_that_word(plain, capsys):
    """No warning (the suite makes one an error), and nothing said of blank cells."""
    assert main(["log", str(plain), "--date", "2026-10-21", "--sol", "30"]) == 0
    assert "blank cells" not in capsys.readouterr().err


# --- finding 10b: log keeps the file's row order ----------------------------------------------

def test_log_keeps_a_diary_newest_first_and_says_so(tmp_path, capsys):
    path = tmp_path / "diary.csv"
    lines = [HEADER] + [f"2026-10-{day:02d},{FULL}" for day in range(20, 0, -1)]
    path.write_text("\n".join(lines) + "\n")
    assert main(["log", str(path), "--date", "2026-10-21", "--sol", "30"]) == 0
    assert "rows kept newest first, as the file has them; night 2026-10-21 put in its place" \
        in capsys.readouterr().out
    written = path.read_text().splitlines()
    assert written[1].startswith("2026-10-21,") and written[2:] == lines[1:]


def test_log_keeps_rows_in_an_order_of_their_own_and_adds_the_night_at_the_end(tmp_path,
                                                                                capsys):
    path = tmp_path / "diary.csv"
    lines = [HEADER] + [f"2026-10-{day:02d},{FULL}" for day in (1, 2, 4, 3, 5)]
    path.write_text("\n".join(lines) + "\n")
    assert main(["log", str(path), "--date", "2026-10-07", "--sol", "30"]) == 0
    assert "not by date (row 4 (2026-10-03) is below row 3 (2026-10-04)); night 2026-10-07 " \
        "added at the end" in capsys.readouterr().out
    written = path.read_text().splitlines()
    assert written[:-1] == lines and written[-1].startswith("2026-10-07,")
    assert main(["log", str(path), "--date", "2026-10-03", "--notes", "late"]) == 0
    assert "rows kept" not in capsys.readouterr().out
    assert [line[:10] for line in path.read_text().splitlines()[1:]] == \
        ["2026-10-01", "2026-10-02", "2026-10-04", "2026-10-03", "2026-10-05", "2026-10-07"]


def test_a_diary_in_date_order_gains_a_missed_night_in_its_place_without_a_word(tmp_path,
                                                                                capsys):
    path = tmp_path / "diary.csv"
    path.write_text("\n".join([HEADER] + [f"2026-10-{day:02d},{FULL}" for day in (1, 2, 4)])
                    + "\n")
    assert main(["log", str(path), "--date", "2026-10-03", "--sol", "30"]) == 0
    assert "rows kept" not in capsys.readouterr().out
    assert [line[:10] for line in path.read_text().splitlines()[1:]] == \
        ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"]


def test_an_export_that_is_a_device_is_named_as_one(tmp_path, capsys):
    out = tmp_path / "diary.csv"
    assert main(["import", "fitbit", "/dev/zero", "--out", str(out)]) == 2
    assert "/dev/zero: expected a file, got a device" in capsys.readouterr().err   # not a folder
    assert not out.exists()


def test_an_export_over_its_cap_is_refused_unread(tmp_path, capsys):
    """A tracker's JSON or CSV export is read to at most 500 MB (a diary's cap is 50 MB)."""
    for kind, name in (("fitbit", "sleep-2026-01-01.json"), ("oura", "oura.csv")):
        big = tmp_path / name
        with open(big, "wb") as handle:          # sparse: nothing written but its size
            handle.truncate(EXPORT_CAP + MB)
        started = time.monotonic()
        assert main(["import", kind, str(big), "--out", str(tmp_path / "diary.csv")]) == 2
        assert time.monotonic() - started < 20
        assert re.search(rf"{name}: is 501.0 MB, more than the 500 MB", capsys.readouterr().err)


def test_import_says_it_writes_a_short_row_of_the_diary_padded(tmp_path, capsys):
    diary = tmp_path / "diary.csv"
    diary.write_text(diary_text(20, short=16, last="glycinate,200,0,40,1,5,4,4"))
    export = tmp_path / "export.csv"
    export.write_text("date,Latency\n2026-10-21,25\n")
    assert main(["import", "csv", str(export), "--map", "date=date,sol_min=Latency",
                 "--out", str(diary)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"warning: .*row 16 has 9 cells for 10 columns: stool_bristol read as "
                     r"blank.*written now with the blank cells", out), out


def test_a_profile_or_priors_file_that_is_a_device_is_refused_unread():
    """``--profile /dev/zero`` read until memory ran out (the TOML read twice, for its lines)."""
    from model.data.profile import load_profile

    started = time.monotonic()
    with pytest.raises(InputError, match="/dev/zero: is not a regular file but a device"):
        load_profile("/dev/zero")
    assert time.monotonic() - started < 20


def test_analyze_reads_a_diary_naming_its_small_doses_and_shifted_rows(tmp_path):
    """What log says of a new night, reading the diary says of the nights already written."""
    small = diary_text(20).replace("glycinate,200,", "glycinate,2,")
    path = tmp_path / "diary.csv"
    path.write_text(small)
    said = " ".join(read_diary(path, today=dt.date(2026, 12, 1)).warnings)
    assert "2 mg" in said and "meant? Write the elemental mg" in said
    path.write_text(diary_text(20, short=16, last="glycinate,200,0,40,1,5,4,4"))
    said = " ".join(read_diary(path, today=dt.date(2026, 12, 1)).warnings)
    assert "row 16 has 9 cells for 10 columns: stool_bristol read as blank" in said
