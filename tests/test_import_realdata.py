"""Real exports fail clearly: Gwern's magnesium self-trial as a diary and as n-of-1 data.

The data are read from ../shared/real-data/ and these tests skip when it is absent.
"""

from pathlib import Path

import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import DiaryError, InputError
from model.data.blank_rows import drop_blank, row_ranges
from model.data.diary import read_diary

GWERN = Path(__file__).resolve().parents[2] / "shared" / "real-data" / \
    "gwern_magnesium_2013_2014.csv"
needs_gwern = pytest.mark.skipif(not GWERN.exists(), reason="real data not present")


@needs_gwern
def test_a_foreign_export_read_as_a_diary_lists_found_and_expected_columns():
    with pytest.raises(DiaryError) as caught:
        read_diary(GWERN)  # what mgsleep analyze reads first
    err = str(caught.value)
    assert "got 1 diary column(s) (awakenings) and 20 other(s): experiment, treatment" in err
    assert "use mgsleep import" in err and "expected a date not already used" not in err


@needs_gwern
def test_nof1_names_blank_treatments_in_one_line_and_can_drop_them(capsys):
    assert main(["nof1", str(GWERN), "--outcome", "Time.to.Z", "--treatment", "treatment",
                 "--baseline", "placebo"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert ("rows 57-96, 151, 164-165, 191-192, 211-246, 261, column treatment: expected a "
            "value in every row, got 82 blank of 345; add --drop-missing-treatment") in err
    kept, dropped = drop_blank(pd.read_csv(GWERN), "treatment", drop=True, source="g",
                               option="--drop-missing-treatment")
    assert (len(kept), dropped) == (263, 82) and kept["treatment"].notna().all()


def test_a_table_with_no_diary_column_is_named_as_another_format():
    frame = pd.DataFrame({"date": ["2024-01-01"], "Latency": ["30"], "Wakes": ["2"]})
    with pytest.raises(DiaryError, match=r"got 0 diary column\(s\) \(none\) and 2 other\(s\): "
                       r"latency, wakes; to bring another format in, use mgsleep import"):
        read_diary(frame)


def test_row_ranges_and_an_absent_column():
    assert row_ranges([9, 3, 4, 5, 11, 12]) == "3-5, 9, 11-12"
    frame = pd.DataFrame({"t": ["a", " ", None]})
    assert drop_blank(frame, "other", drop=False, source="f", option="--x")[1] == 0
    with pytest.raises(InputError, match=r"f: rows 2-3, column t: .*got 2 blank of 3; add --x"):
        drop_blank(frame, "t", drop=False, source="f", option="--x")
    with pytest.raises(InputError, match=r"f: row 3, column t: .*got 1 blank of 3"):
        drop_blank(frame.assign(t=["a", "b", " "]), "t", drop=False, source="f", option="--x")


@needs_gwern
def test_gwerns_trial_imports_through_the_command_line(tmp_path, capsys):
    out = tmp_path / "gwern.csv"
    assert main(["import", "gwern", str(GWERN), "--out", str(out)]) == 0
    assert "gwern: 206 night(s) read from 1 file(s)" in capsys.readouterr().out
    diary = read_diary(out)
    assert diary.n_recorded == 206      # the gaps between are unrecorded nights
    assert set(diary.regimen_counts()) == {"placebo", "citrate@136", "citrate@800"}
    assert diary.nights["quality"].dropna().between(1, 5).all()
