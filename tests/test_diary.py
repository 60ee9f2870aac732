"""Diary reader: validation faults, the timeline, regimens, appending; property-based junk."""

import datetime as dt
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.core.errors import DiaryError
from model.core.forms import FORMS, compound_to_elemental
from model.core.regimen import Regimen
from model.data.diary import NUMERIC, OUTCOMES, Diary, read_diary
from model.simulate.personas import simulate_diary

VALID = """date,form,elemental_mg,split,sol_min,awakenings,quality,stool_bristol,gi_upset,notes
2024-01-01,,,,30,2,3,4,0,first
2024-01-02,bisglycinate,200,0,20,1,4,,,
2024-01-03,glycinate,200,0,25,,4,6,,
2024-01-05,glycinate,200,0,22,1,,,1,
2024-01-06,placebo,,,35,3,2,,,
2024-01-08,L-threonate,144,1,18,0,5,3,0,
"""


def write(tmp_path: Path, text: str, name: str = "diary.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def faults_of(source) -> list[str]:
    with pytest.raises(DiaryError) as caught:
        read_diary(source)
    return [str(f) for f in caught.value.faults]


@pytest.fixture
def diary(tmp_path) -> Diary:
    return read_diary(write(tmp_path, VALID))


def test_timeline_is_complete_and_typed(diary):
    nights = diary.nights
    assert nights.index.name == "date"
    assert list(nights.index) == list(pd.date_range("2024-01-01", "2024-01-08", freq="D"))
    assert diary.n_nights == 8 and diary.n_recorded == 6
    assert nights.loc["2024-01-04", "recorded"] == np.False_
    assert nights.loc["2024-01-02", "form"] == "glycinate"  # alias
    assert nights.loc["2024-01-08", "form"] == "threonate"
    assert nights.loc["2024-01-01", "elemental_mg"] == 0.0
    assert nights.loc["2024-01-08", "split"] == np.True_
    assert nights["sol_min"].dtype == float and math.isnan(nights.loc["2024-01-04", "sol_min"])
    assert diary.outcomes_present == ("sol_min", "awakenings", "quality", "stool_bristol",
                                      "gi_upset")


def test_gap_regimen_carried_over_only_between_equal_regimens(diary):
    # 01-04 lies between two glycinate@200 nights; 01-07 between placebo and threonate.
    assert diary.nights.loc["2024-01-04", "form"] == "glycinate"
    assert diary.nights.loc["2024-01-04", "elemental_mg"] == 200
    assert diary.nights.loc["2024-01-07", "form"] == "none"
    # the warning names the nights and what they were taken as
    assert any("2 night(s) missing between recorded dates (2024-01-04, 2024-01-07), inserted "
               "as unrecorded: one between two nights on the same regimen is taken as on it, "
               "one between two different magnesium regimens as the earlier up to the gap's "
               "midpoint and the later after it, any other as without magnesium"
               in w for w in diary.warnings), diary.warnings


def test_gi_night_derivation(diary):
    gi = diary.nights["gi_night"]
    assert gi["2024-01-01"] == 0.0  # Bristol 4, no upset
    assert gi["2024-01-03"] == 1.0  # Bristol 6
    assert gi["2024-01-05"] == 1.0  # upset
    assert math.isnan(gi["2024-01-02"])  # neither observed


def test_regimen_labels_counts_and_segments(diary):
    labels = diary.regimen_label
    assert labels["2024-01-02"] == "glycinate@200"
    assert labels["2024-01-08"] == "threonate@144x2"
    assert diary.regimen_counts() == {"none": 1, "glycinate@200": 3, "placebo": 1,
                                      "threonate@144x2": 1}
    assert diary.nights_per_regimen() == ("no magnesium: 1, glycinate 200 mg: 3, placebo: 1, "
                                          "threonate 144 mg in two intakes: 1")
    segments = diary.segments()
    assert list(segments["label"]) == ["none", "glycinate@200", "placebo", "none",
                                       "threonate@144x2"]
    assert list(segments["n_nights"]) == [1, 4, 1, 1, 1]
    assert list(segments["n_recorded"]) == [1, 3, 1, 0, 1]
    assert segments["n_nights"].sum() == diary.n_nights


def test_compound_mg_converted_with_elemental_fraction(tmp_path):
    diary = read_diary(write(tmp_path, "date,form,compound_mg\n2024-01-01,oxide,400\n"
                             "2024-01-02,glycinate,2142\n"))
    # to the whole mg: 302.022 mg made a regimen of its own, labelled "302.022 mg"
    assert diary.nights["elemental_mg"].tolist() == [
        round(compound_to_elemental("oxide", 400.0)), 302.0]
    assert list(diary.regimen_counts()) == [
        f"oxide@{round(compound_to_elemental('oxide', 400.0))}", "glycinate@302"]


def test_dataframe_source_and_unknown_column_warning():
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-02-01", "2024-02-02"]),
                          "form": ["citrate", None], "elemental_mg": [150, np.nan],
                          "Mood": ["ok", "bad"]})
    diary = read_diary(frame)
    assert diary.source == "<DataFrame>"
    assert diary.nights["form"].tolist() == ["citrate", "none"]
    assert any("unknown column 'Mood'" in w for w in diary.warnings)   # as the table has it


def test_every_fault_reported_in_one_pass(tmp_path):
    text = """date,form,elemental_mg,compound_mg,sol_min,awakenings,quality
2024-01-01,,100,,30,2.5,3
2024-13-02,foo,200,,-1,1,9
2024-01-03,glycinate,,,,,
2024-01-04,glycinate,200,1000,,,
2024-01-05,,,400,,,
2024-01-05,placebo,,,,,
2024-01-07,citrate,abc,,,,
"""
    path = write(tmp_path, text)
    faults = faults_of(path)
    expected = [
        "row 1, column awakenings", "row 1, column form", "row 2, column date",
        "row 2, column sol_min", "row 2, column quality", "row 2, column form",
        "row 3, column elemental_mg", "row 4, column elemental_mg",
        "row 5, column compound_mg", "row 6, column date",
        "row 7, column elemental_mg",   # once: an unreadable dose is not also "blank"
    ]
    assert len(faults) == len(expected)
    for fault, where in zip(faults, expected, strict=True):
        assert fault.startswith(f"{path}: {where}: expected")
    assert "got '2024-13-02'" in faults[2] and "got 'foo'" in faults[5]
    assert "(row 5)" in faults[9]


@pytest.mark.parametrize(("text", "where"), [
    ("form,sol_min\nglycinate,10\n", "column date"),
    ("date\n", ""),
    ("date,date\n2024-01-01,2024-01-02\n", "column date"),
])
def test_structural_faults(tmp_path, text, where):
    faults = faults_of(write(tmp_path, text))
    assert len(faults) == 1 and where in faults[0]


def test_a_number_with_pythons_digit_grouping_is_refused(tmp_path):
    """``1_0`` was read as 10 (Python's ``float``), which no spreadsheet writes and ``log``
    refuses (an outside audit)."""
    path = write(tmp_path, "date,sol_min\n2026-11-01,1_0\n2026-11-02,20\n")
    assert faults_of(path) == [f"{path}: row 1, column sol_min: expected a number from 0 to "
                               "720 (minutes), got '1_0'"]


def test_missing_file_is_a_diary_error(tmp_path):
    assert faults_of(tmp_path / "absent.csv") == [f"{tmp_path / 'absent.csv'}: file not found"]


# --- files as Excel saves them -------------------------------------------------------------
def excel(text: str, sep: str) -> bytes:
    """``text`` as Excel writes it with the separator ``sep`` (``;``: with decimal commas)."""
    text = text.replace(",", sep).replace(".", ",") if sep == ";" else text.replace(",", sep)
    return ("\ufeff" + text).replace("\n", "\r\n").encode("utf-8")


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_diary_separated_by_semicolons_or_tabs_is_read(tmp_path, diary, sep):
    text = VALID.replace("L-threonate,144", "L-threonate,144.5").replace(",30,", ",30.5,")
    path = tmp_path / "excel.csv"
    path.write_bytes(excel(text, sep))
    read = read_diary(path)
    if sep == ";":                                     # decimal commas read as points
        assert read.nights.loc["2024-01-01", "sol_min"] == 30.5
        assert read.nights.loc["2024-01-08", "elemental_mg"] == 144.5
    assert read.n_recorded == diary.n_recorded and list(read.nights) == list(diary.nights)


def test_a_row_with_too_many_fields_names_the_separator_of_the_file(tmp_path):
    path = tmp_path / "excel.csv"
    for row in (1, 3):
        lines = excel(VALID, ";").split(b"\r\n")
        lines[row] += b";second"
        path.write_bytes(b"\r\n".join(lines))
        assert faults_of(path) == [f"{path}: row {row}: expected 10 fields (the header's), got "
                                   "11; a ';' inside a value needs quotes"]


@pytest.mark.parametrize("empty", [",,,,,,,,,", ", , ,,,,,,,", ",,", ";;;"])
def test_rows_of_separators_only_are_skipped_like_blank_lines(tmp_path, diary, empty):
    sep = ";" if ";" in empty else ","
    rows = VALID.splitlines()
    text = "\n".join([*rows[:3], empty, *rows[3:], empty, empty, ""])
    path = tmp_path / "excel.csv"
    path.write_bytes(text.replace(",", sep).encode() if sep == ";" else text.encode())
    assert read_diary(path).nights.equals(diary.nights)


def test_a_fault_after_a_row_of_separators_names_the_row_as_read(tmp_path):
    rows = VALID.splitlines()
    text = "\n".join([*rows[:3], ",,,,,,,,,", rows[3].replace(",25,", ",-5,"), ""])
    (fault,) = faults_of(write(tmp_path, text))
    assert fault.startswith(f"{tmp_path / 'diary.csv'}: row 3, column sol_min: ")


def test_append_extends_and_refills_gaps(diary):
    longer = diary.append(pd.DataFrame({"date": ["2024-01-10"], "form": ["threonate"],
                                        "elemental_mg": [144], "split": [1]}))
    assert longer.n_nights == 10 and longer.n_recorded == 7
    assert longer.nights.loc["2024-01-09", "form"] == "threonate"  # carried over
    assert diary.n_nights == 8  # the original is unchanged
    with pytest.raises(DiaryError, match=r"row 2, column date: expected a date after 2024-01-08"):
        diary.append(pd.DataFrame({"date": ["2024-01-11", "2024-01-08"]}))


# --- property-based -------------------------------------------------------------------------

NUMERIC_COLUMNS = [c for c in NUMERIC if c != "compound_mg"]


@st.composite
def valid_tables(draw) -> pd.DataFrame:
    """Valid diaries as text tables: increasing dates with gaps, any regimen and outcomes."""
    n = draw(st.integers(1, 12))
    steps = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    dates = pd.Timestamp("2023-06-01") + pd.to_timedelta(np.cumsum(steps), unit="D")
    rows = []
    for day in dates:
        form = draw(st.sampled_from([*FORMS, "placebo", "", "Magnesium bisglycinate"]))
        dose = draw(st.integers(1, 2000)) if form not in ("", "placebo") else ""
        row = {"date": day.strftime("%Y-%m-%d"), "form": form, "elemental_mg": str(dose)}
        for column in (*OUTCOMES, "caffeine_late", "alcohol_drinks"):
            allowed = NUMERIC[column]
            value = draw(st.one_of(st.just(""), st.integers(int(allowed.low), int(allowed.high))))
            row[column] = str(value)
        rows.append(row)
    return pd.DataFrame(rows)


@settings(max_examples=60, deadline=None)
@given(valid_tables())
def test_valid_diaries_read(table):
    diary = read_diary(table)
    assert diary.n_recorded == len(table)
    assert diary.n_nights == (pd.Timestamp(table["date"].iloc[-1])
                              - pd.Timestamp(table["date"].iloc[0])).days + 1
    assert sum(diary.regimen_counts().values()) == len(table)
    assert diary.nights.index.is_monotonic_increasing and diary.nights.index.is_unique


junk = st.one_of(st.text(max_size=8), st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(-10**6, 10**6), st.none(), st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_tables(), st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100), junk),
                                min_size=1, max_size=6), st.booleans())
def test_junk_cells_give_diary_error_or_diary(table, edits, via_csv):
    table = table.astype(object)
    for row, column, value in edits:
        table.iat[row % len(table), column % table.shape[1]] = value
    if via_csv:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "junk.csv"
            table.to_csv(path, index=False)
            try:
                result = read_diary(path)
            except DiaryError as error:
                assert error.faults
                return
    else:
        try:
            result = read_diary(table)
        except DiaryError as error:
            assert all(f.where.startswith("row ") for f in error.faults)
            return
    assert isinstance(result, Diary)


@settings(max_examples=80, deadline=None)
@given(valid_tables(), st.sampled_from(NUMERIC_COLUMNS), st.integers(0, 100),
       st.sampled_from(["low", "high", "text"]))
def test_out_of_range_values_are_named(table, column, row, how):
    allowed = NUMERIC[column]
    row = row % len(table)
    table[column] = table.get(column, "")
    table.loc[row, column] = {"low": str(allowed.low - 1), "high": str(allowed.high + 1),
                              "text": "lots"}[how]
    with pytest.raises(DiaryError) as caught:
        read_diary(table)
    assert f"row {row + 1}, column {column}" in [f.where for f in caught.value.faults]


@settings(max_examples=40, deadline=None)
@given(valid_tables(), st.integers(0, 100))
def test_duplicate_dates_and_missing_date_column(table, row):
    duplicated = pd.concat([table, table.iloc[[row % len(table)]]], ignore_index=True)
    with pytest.raises(DiaryError, match=rf"row {len(table) + 1}, column date"):
        read_diary(duplicated)
    with pytest.raises(DiaryError, match="column date"):
        read_diary(table.drop(columns="date"))


def test_a_diary_without_any_outcome_says_the_advice_rests_on_the_evidence():
    """A diary of dates (and doses) only was analysed without a word: 'start threonate'."""
    dates = pd.to_datetime(["2024-01-01", "2024-01-02"])
    bare = read_diary(pd.DataFrame({"date": dates, "form": ["glycinate", None],
                                    "elemental_mg": [200, np.nan]}))
    assert any("no night has an outcome recorded" in w for w in bare.warnings)
    one = read_diary(pd.DataFrame({"date": dates, "sol_min": [20, np.nan]}))
    assert not any("no night has an outcome" in w for w in one.warnings)


def test_planned_nights_not_slept_yet_are_not_analysed():
    # the trial-runner audit: a plan's rows carry a regimen for every night to come; a trial
    # stopped early was analysed "as of" the plan's end, on an arm never taken
    from model.analysis.analysed_nights import truncated as _truncate

    rows = pd.DataFrame({"date": pd.date_range("2025-01-01", periods=30).strftime("%Y-%m-%d"),
                         "form": ["none"] * 10 + ["glycinate"] * 20,
                         "elemental_mg": [""] * 10 + ["200"] * 20,
                         "sol_min": [str(30 - i % 5) for i in range(12)] + [""] * 18,
                         "notes": ["baseline"] * 10 + ["treatment"] * 20})   # as plan writes
    diary = read_diary(rows)
    assert diary.last_outcome_date == dt.date(2025, 1, 12)
    kept, day = _truncate(diary, None)
    assert day == dt.date(2025, 1, 12) and kept.n_nights == 12
    assert kept.warnings[-1] == ("<DataFrame>: 18 night(s) after 2025-01-12, the last night "
                                 "slept, have nothing recorded yet (planned nights?): analysed "
                                 "up to 2025-01-12")
    assert _truncate(read_diary(rows.iloc[:12]), None)[1] == dt.date(2025, 1, 12)


def test_a_dose_written_down_for_last_night_is_analysed_before_its_outcomes():
    """A long-term user's audit: 500 mg logged for last night (its outcomes to come in the
    morning) was left out as a "planned night", and the advice kept the 200 mg before it,
    under a pregnancy ceiling of 250 mg. A row no plan wrote, before today, was slept; a
    plan's rows (its notes) and the nights from today on were not."""
    from typing import get_args

    from model.analysis.analysed_nights import truncated as _truncate
    from model.data.diary import PLAN_NOTES
    from model.trial.periods import PeriodKind

    assert PLAN_NOTES == set(get_args(PeriodKind))
    rows = pd.DataFrame({"date": pd.date_range("2026-11-20", periods=16).strftime("%Y-%m-%d"),
                         "form": ["glycinate"] * 16, "elemental_mg": ["200"] * 12 + ["500"] * 4,
                         "sol_min": ["25"] * 12 + [""] * 4,
                         "notes": [""] * 13 + ["code A (plan 3f9a1c2e)", "treatment", ""]})
    diary = read_diary(rows)                      # 12-02 logged, 12-03 and 12-04 planned
    kept, day = _truncate(diary, None, today=dt.date(2026, 12, 5))
    assert day == dt.date(2026, 12, 2) and kept.nights["elemental_mg"].iloc[-1] == 500
    assert kept.warnings[-1].startswith("<DataFrame>: 3 night(s) after 2026-12-02")
    stale = _truncate(diary, None, today=dt.date(2026, 12, 15))[0].warnings[-1]   # 12-05 on
    assert stale == ("<DataFrame>: its last night slept is 2026-12-05, 9 nights before last "
                     "night: the advice and its look-again date are as of the morning after "
                     "it; log the nights since (mgsleep log --date) and analyse again")
    tonight = _truncate(diary, None, today=dt.date(2026, 12, 2))[1]   # 12-02 not slept yet
    assert tonight == dt.date(2026, 12, 1)


def test_the_guess_column_of_a_blinded_trial_is_known():
    # the README tells a blinded trial's participant to add it; analyze called it unknown
    rows = pd.DataFrame({"date": ["2025-01-01", "2025-01-02"], "form": ["none", "none"],
                         "sol_min": ["20", "25"], "guess": ["", "placebo"], "mood": ["", ""]})
    warnings = read_diary(rows).warnings
    assert not any("'guess'" in w for w in warnings)
    assert any("unknown column 'mood' ignored" in w for w in warnings)


def test_a_table_whose_dates_are_its_index_is_read():
    """A DatetimeIndex (and the package's own ``Diary.nights``) was refused: "expected a date
    column (YYYY-MM-DD)" (Jupyter audit)."""
    frame = simulate_diary("responder", 12, seed=4)
    plain = read_diary(frame)
    dated = frame.set_index(pd.DatetimeIndex(pd.to_datetime(frame.pop("date")), name="date"))
    assert read_diary(dated).nights.equals(plain.nights)
    columns = [c for c in NUMERIC if c in plain.nights]
    assert read_diary(plain.nights).nights[columns].equals(plain.nights[columns])
    late = dated.iloc[3:5]                 # appended nights that are not after the last
    with pytest.raises(DiaryError, match=r"row 1, column date: expected a date after"):
        plain.append(late)


@pytest.mark.parametrize(("form", "canonical"), [("Glycinate", "glycinate"),
                                                 ("magnesium bisglycinate", "glycinate"),
                                                 ("PLACEBO", "placebo"), ("none", "none")])
def test_a_regimen_takes_a_diary_spelling_of_its_form(form, canonical):
    """``Regimen("Glycinate", 200)`` raised "unknown form" where a diary accepts it."""
    assert Regimen(form, 200.0 if canonical == "glycinate" else 0.0).form == canonical


@pytest.mark.parametrize("dose", [float("nan"), float("inf"), -1.0])
def test_a_regimen_refuses_a_dose_that_is_not_a_finite_amount(dose):
    """A NaN dose made glycinate a regimen labelled "none" whose predictions were all NaN."""
    with pytest.raises(ValueError, match="elemental_mg must be a finite number >= 0"):
        Regimen("glycinate", dose)
    with pytest.raises(ValueError, match=r"unknown form 'glycinat' \(did you mean 'glycinate'"):
        Regimen("glycinat", 200.0)


def test_a_last_line_cut_short_is_named(tmp_path):
    """An audit: ``2026-03-02,glycinate,30`` without a line end (a write of ``300`` cut
    short) was read as 30 mg without a word; then warned of, and now refused, as every row
    with fewer fields than the header is (a European audit)."""
    head = "date,form,elemental_mg,sol_min\n2026-03-01,glycinate,300,20\n"
    cut = tmp_path / "cut.csv"
    cut.write_text(head + "2026-03-02,glycinate,30")
    assert faults_of(cut) == [f"{cut}: row 2: expected 4 fields (the header's), got 3; the "
                              "last line ends without a line end: a write cut short? Complete "
                              "it (a blank value is an empty cell: ,,)"]
    for whole in (head, head + "2026-03-02,glycinate,300,25", head + "2026-03-02,,,\n"):
        cut.write_text(whole)
        assert read_diary(cut).n_recorded == whole.count("\n") - 1 + (not whole.endswith("\n"))


def test_a_night_off_may_say_0_mg_of_compound():
    """A user audit: a supplement log's day off (form "none" or blank, compound_mg 0) was
    refused with "expected a magnesium form in column form to convert compound_mg"."""
    frame = pd.DataFrame({"date": ["2026-03-01", "2026-03-02", "2026-03-03"],
                          "form": ["none", "", "placebo"], "compound_mg": ["0", "0", "0"],
                          "sol_min": ["20", "25", "30"]})
    nights = read_diary(frame).nights
    assert nights["form"].tolist() == ["none", "none", "placebo"]
    assert nights["elemental_mg"].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(DiaryError, match="expected a magnesium form in column form to convert "
                       "compound_mg, got none"):
        read_diary(frame.assign(compound_mg=["500", "0", "0"]))


def test_outcomes_after_today_name_the_last_such_night_not_the_last_planned_row(tmp_path):
    """An outside audit: a planned diary's last row (no outcome) was named instead."""
    today = dt.date.today()
    rows = ["date,form,elemental_mg,sol_min"]
    rows += [f"{today + dt.timedelta(days=k)},glycinate,200,{20 if k <= 1 else ''}"
             for k in range(-7, 20)]     # a day ahead: a diary kept in another time zone
    diary = read_diary(write(tmp_path, "\n".join(rows) + "\n"))
    said = [w for w in diary.warnings if "after today" in w]
    assert said == [f"{tmp_path / 'diary.csv'}: outcomes recorded for nights after today (last "
                    f"{today + dt.timedelta(days=1)}, row 9); is a year mistyped?"]


@pytest.mark.parametrize(("form", "compound"), [
    ("carbonate", "Magnesium carbonate"), ("Magnesium hydroxide", "Magnesium hydroxide"),
    ("magnesium sulfate", "Magnesium sulfate"), ("Epsom salt", "(Epsom)"),
    ("aspartate", "aspartate")])
def test_a_compound_that_is_no_form_is_named_not_taken_for_the_closest(tmp_path, form, compound):
    """A safety audit: "carbonate" was answered "did you mean 'threonate'?"; logged so, 1,500
    mg of carbonate (29 % magnesium, 432 mg) would count as 108 mg and hide a dose above the
    ceiling."""
    path = tmp_path / "diary.csv"
    path.write_text(f"date,sol_min,form,compound_mg\n2026-01-01,20,{form},1500\n")
    with pytest.raises(DiaryError) as error:
        read_diary(path)
    message = str(error.value)
    assert "row 1, column form" in message and compound in message
    assert "is none of the forms mgsleep models" in message and "did you mean" not in message


def test_a_misspelt_column_is_named_with_what_was_meant_and_no_date_points_to_import():
    """A user audit: ``sol_mins`` was "ignored" with no hint, so the outcome left the fit
    unseen; a file without a date column did not mention ``mgsleep import``."""
    frame = pd.DataFrame({"date": ["2024-02-01"], "sol_mins": [20], "mood": ["ok"],
                          "quality": [3], "awakenings": [1], "form": ["glycinate"],
                          "elemental_mg": [200]})
    read = read_diary(frame)     # a near miss is read as the column it nearly names
    assert read.nights["sol_min"].tolist() == [20]
    assert any("column 'sol_mins' read as sol_min" in w for w in read.warnings)
    warnings = read_diary(frame.drop(columns="sol_mins").assign(sol=[20])).warnings
    assert any("unknown column 'sol' ignored (did you mean 'sol_min'?)" in w
               for w in warnings)
    assert any(w.endswith("unknown column 'mood' ignored") for w in warnings)
    with pytest.raises(DiaryError, match=r"got columns: Day, Y; another layout .* `mgsleep "
                                         r"import`"):
        read_diary(pd.DataFrame({"Day": [1], "Y": [2]}))


def test_an_empty_file_is_said_to_be_empty(tmp_path):
    """A user audit: an empty CSV was answered with pandas' "No columns to parse from file"."""
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DiaryError, match="empty.csv: expected a CSV diary with a header line "
                                         r"\(date, ...\), got an empty file"):
        read_diary(path)


def test_a_dose_under_1_mg_is_refused_as_grams_meant():
    """A tracker user's audit: an imported supplements log with 0.2 mg of glycinate (grams
    meant) gave the analysis a regimen of its own, "glycinate 0.2 mg, 1 night", and no word;
    warned of, it still gave "Continue glycinate, 0.2 mg" and "raise the dose to glycinate
    100.2 mg" (a long-term user's audit): it is a fault of its row and column."""
    frame = pd.DataFrame({"date": ["2024-10-22", "2024-10-23", "2024-10-24"],
                          "form": ["", "glycinate", "glycinate"],
                          "elemental_mg": [None, 0.2, 200], "sol_min": [20, 20, 20]})
    with pytest.raises(DiaryError, match=r"row 2, column elemental_mg: expected at least 1 mg "
                                         r"of elemental magnesium, got 0.2: less than any "
                                         r"supplement gives; grams meant \(0.2 g = 200 mg\)\?"):
        read_diary(frame)
    frame.loc[1, "elemental_mg"] = 200
    assert read_diary(frame).nights["elemental_mg"].iloc[1] == 200
