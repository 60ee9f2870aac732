"""model.core.texttable lays out tables exactly as pandas' ``DataFrame.to_string()`` does."""

import math

import numpy as np
import pandas as pd
import pytest

from model.core.texttable import float_cells, text_table

WORDS = ["a", "bb", "glycinate", "log_odds_ratio", "very low", "", "x y"]


def random_floats(rng: np.random.Generator, n: int) -> list[float]:
    """A column from one of the regimes pandas formats differently."""
    regime = rng.integers(6)
    if regime == 0:  # rounded to 3 decimals, as the priors table
        values = np.round(rng.normal(0, 2, n), 3)
    elif regime == 1:  # whole numbers and (negative) zeros: one decimal kept
        values = rng.choice([0.0, -0.0, 1.0, -12.0, 300.0], n)
    elif regime == 2:  # any magnitude: scientific notation when too small or too large
        values = rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-9, 9, n)
    elif regime == 3:  # one huge value among short ones
        values = np.round(rng.normal(0, 1, n), 2)
        values[rng.integers(n)] = 1234567.891
    elif regime == 4:  # missing and infinite values
        values = rng.choice([np.nan, np.inf, -np.inf, 0.5, -2.25], n)
    else:  # full precision
        values = rng.normal(0, 1, n)
    return [float(v) for v in values]


def random_table(seed: int) -> tuple[list[str], list[str], list[list[object]]]:
    rng = np.random.default_rng(seed)
    levels, n, width = int(rng.integers(1, 4)), int(rng.integers(1, 10)), int(rng.integers(1, 6))
    index_names = [f"level{k}" * int(rng.integers(1, 3)) for k in range(levels)]
    columns = [f"c{j}" + "_" * int(rng.integers(0, 12)) for j in range(width)]
    labels = [[str(rng.choice(WORDS[:4])) for _ in range(n)] for _ in range(levels)]
    cells = [random_floats(rng, n) if rng.random() < 0.6
             else [str(rng.choice(WORDS)) for _ in range(n)] for _ in range(width)]
    rows = [[*(lab[i] for lab in labels), *(col[i] for col in cells)] for i in range(n)]
    return index_names, columns, rows


def pandas_text(index_names: list[str], columns: list[str], rows: list[list[object]]) -> str:
    frame = pd.DataFrame(rows, columns=[*index_names, *columns])
    return frame.set_index(index_names).to_string()


@pytest.mark.parametrize("seed", range(300))
def test_random_tables_match_pandas_to_string(seed):
    table = random_table(seed)
    assert text_table(*table) == pandas_text(*table)


@pytest.mark.parametrize("values", [[1e-6, 1.0], [0.99e-6, 1.0], [1e6, 0.1234567],
                                    [1.0000001e6, 0.1234567], [-0.0, 0.0], [0.0005, 0.001]])
def test_float_columns_at_the_format_boundaries_match_pandas(values):
    table = (["i"], ["x"], [[str(k), v] for k, v in enumerate(values)])
    assert text_table(*table) == pandas_text(*table)


def test_the_priors_layout_matches_pandas():
    rows = [["glycinate", "sol", "log_ratio", -0.227, 0.267, "low"],
            ["glycinate", "gi", "log_odds_ratio", 0.0, 1.1, "very low"],
            ["oxide", "gi", "log_odds_ratio", 0.412, 0.832, "low"]]
    table = (["form", "outcome"], ["scale", "mean", "sd", "certainty"], rows)
    text = text_table(*table)
    assert text == pandas_text(*table)
    assert text.splitlines()[3].startswith("          gi ")  # the repeated form is left blank


def test_float_cells_trim_zeros_equally_and_switch_to_scientific():
    assert float_cells([0.5, -0.25, 1.0]) == [" 0.50", "-0.25", " 1.00"]
    assert float_cells([2.0, math.nan]) == [" 2.0", "NaN"]
    assert float_cells([1e-7, 1.0]) == [" 1.000000e-07", " 1.000000e+00"]
    assert float_cells([1234567.8912, 1.0]) == [" 1.234568e+06", " 1.000000e+00"]
    assert float_cells([1234567.891, 1.0]) == [" 1234567.891", " 1.000"]  # 12 characters
    assert float_cells([2e6, 1.0]) == [" 2000000.0", " 1.0"]  # large but short: fixed


def test_bad_tables_are_refused():
    with pytest.raises(TypeError, match="column 'x'"):
        text_table(["i"], ["x"], [["a", 1.0], ["b", "text"]])
    with pytest.raises(TypeError, match="column 'x'"):
        text_table(["i"], ["x"], [["a", 1]])
    with pytest.raises(ValueError, match="1 index labels and 1 cells"):
        text_table(["i"], ["x"], [["a", 1.0, 2.0]])
    with pytest.raises(ValueError):
        text_table(["i"], ["x"], [])
