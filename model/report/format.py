"""Numbers and tables for people: no ``True``/``None``, no ``2.43e+03``, one rule per kind.

:func:`cell` turns one value into text (yes / no, a dash for nothing, probabilities with two
decimals and never 1.00 or 0.00, R-hat with three, large numbers with thousands separators);
:func:`table` renders a frame with readable column names (:data:`COLUMN_NAMES`) and every
cell escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from model.core.change_words import chance
from model.decision.gi_words import GI_RISK

DASH = "\u2014"
"""What an empty cell shows."""

COLUMN_NAMES: dict[str, str] = {
    "action": "action", "regimen": "regimen", "feasible": "allowed now",
    "expected_utility": "expected utility", "learning_value": "learning value",
    "cvar": "worst 10 % (CVaR)", "p_best": "P(best)",
    "p_better_than_continue": "P(better than now)",
    "p_constraint_violation": GI_RISK, "blocked_by": "blocked by",
    "prior": "prior", "form": "form", "elemental_mg_per_day": "mg a day", "holds": "holds",
    "method": "method", "ok": "passed", "max_rhat": "max R-hat (checked)",
    "max_rhat_all": "max R-hat (all)", "min_ess_bulk": "min bulk ESS",
    "divergences": "divergences", "attempts": "sampling runs", "checked": "checked",
}
"""Readable names of the columns the report shows (others are shown as they are); the GI
chance is :data:`~model.decision.gi_words.GI_RISK`, its one name (it was "P(GI limit broken)"
here and "P(GI constraint violated)" in the detail: a plain-language editor's audit, /tmp/w46/D
C3)."""

_THREE_DECIMALS = {"max_rhat", "max_rhat_all"}
_CHANCES = {"p_best", "p_better_than_continue", "p_constraint_violation", "p_harm"}
"""Probability columns: said by :func:`~model.core.change_words.chance`, never 1.00 or 0.00
(the report's tables printed "1.00" for the 0.999 the terminal said as "> 0.99": a re-check of
an outside audit)."""
_WHOLE = {"min_ess_bulk", "elemental_mg_per_day", "divergences", "attempts"}


def number(value: float, column: str = "") -> str:
    """A number as a person reads it (see the module docstring)."""
    if not math.isfinite(value):
        return DASH
    if column in _THREE_DECIMALS:
        return f"{value:.3f}"
    if column in _CHANCES:
        return chance(value)
    if column in _WHOLE or (float(value).is_integer() and abs(value) >= 10):
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{round(value, 2) + 0.0:.2f}"   # + 0.0: no "-0.00"


def cell(value: object, column: str = "") -> str:
    """One value as text: yes / no, a dash for nothing, numbers by :func:`number`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return number(float(value), column)
    if isinstance(value, str):
        return value if value else DASH
    if isinstance(value, Sequence):
        return ", ".join(cell(v) for v in value) or DASH
    return str(value)


def table(frame: pd.DataFrame, names: Mapping[str, str] | None = None,
          css: str = "") -> str:
    """Render a frame as an HTML table: readable headers, formatted and escaped cells."""
    names = {**COLUMN_NAMES, **(names or {})}
    head = "".join(f"<th>{html.escape(names.get(str(c), str(c)))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(v, str(c)), quote=False)}</td>"
                         for c, v in zip(frame.columns, row, strict=True)) + "</tr>"
        for row in frame.itertuples(index=False, name=None))
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def escape(text: object) -> str:
    """Escape any value for HTML text or an attribute."""
    return html.escape(str(text), quote=True)


def bullets(items: Sequence[str], css: str = "") -> str:
    """An HTML list of plain-text items (escaped)."""
    cls = f' class="{css}"' if css else ""
    return "<ul>" + "".join(f"<li{cls}>{escape(item)}</li>" for item in items) + "</ul>"
