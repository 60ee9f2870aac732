"""The fitted level shifts said in words: each measuring source's and each covariate's.

``Devices: beside fitbit's nights (the reference), oura's read falling asleep 8 min faster
...`` and ``Also fitted: a day sleep (after a night shift or a flight): 1.4 more awakenings
a night ...``:
the terminal, the HTML report and the clinician page say them (:func:`shift_lines`), from
the JSON's ``devices`` and ``covariates``
(:meth:`~model.analysis.pipeline.Analysis.fitted_shifts`). The report and the clinician page
said neither (a shift worker's audit, /tmp/w54/s2 N8). The pages say the intervals' level
once, elsewhere; the one-page clinician summary keeps the shifts clear of no change.

>>> from model.report.shift_words import shift_lines
>>> shift_lines(analysis)                                                  # doctest: +SKIP
['Also fitted: a day sleep (after a night shift or a flight): 1.4 more awakenings a night (...)']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.core.change_words import change_words
from model.personal.covariate_effects import covariate_entry

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis

CLEAR_WORDS = "only those whose interval leaves out no change"
"""What the clinician page's lines keep of the shifts (:func:`shift_lines` ``clear_only``)."""


def shift_lines(result: Analysis, *, level: bool = True,
                clear_only: bool = False) -> list[str]:
    """The devices' line and the covariates' line, each when the analysis fitted one.

    ``level``: say the intervals' level (the terminal; a page says it once, elsewhere).
    ``clear_only``: keep the shifts whose interval leaves out no change (a line with none
    is left out), and say so.
    """
    lines = []
    for entry, line in ((result.fitted_shifts(), devices_line),
                        (result.fitted_shifts(covariate_entry), covariates_line)):
        if entry is not None and clear_only:
            entry = {**entry, "shifts": [row for row in entry["shifts"]
                                         if row["low"] > 0 or row["high"] < 0]}
        if entry is not None and entry["shifts"]:
            lines.append(line(entry, _note(entry, level, clear_only)))
    return lines


def _note(entry: dict[str, Any], level: bool, clear_only: bool) -> str:
    """The bracket's first words: the intervals' level, and which shifts are kept."""
    return "; ".join([f"{entry['level'] * 100:.0f} % intervals"] * level
                     + [CLEAR_WORDS] * clear_only)


def devices_line(devices: dict[str, Any], note: str) -> str:
    """The line on each source's fitted level shift (the JSON's ``devices``).

    ``Devices: beside fitbit's nights (the reference), oura's read falling asleep 8 min
    faster (3 to 13 faster) ...``: the shift was fitted and said nowhere, so a person could
    not see that the model read their ring's nights 8 minutes under their old tracker's (a
    device switcher's audit, /tmp/w47/B F8). ``note``: the bracket's first words.
    """
    sources: dict[str, list[str]] = {}
    for row in devices["shifts"]:
        sources.setdefault(row["source"], []).append(
            change_words(row["outcome"], row["median"], row["low"], row["high"]))
    said = "; ".join(f"{source}'s read {', '.join(changes)}"
                     for source, changes in sources.items())
    return (f"Devices: beside {devices['reference']}'s nights (the reference), {said} "
            f"({note + '; ' if note else ''}the model takes these shifts out of the effects)")


def covariates_line(covariates: dict[str, Any], note: str) -> str:
    """The line on each covariate's fitted shift (the JSON's ``covariates``).

    ``Also fitted: a day sleep (after a night shift or a flight): falling asleep 4 min faster
    (...), 1.9 more awakenings a night (...)``: what a day sleep costs a shift worker was
    fitted and said nowhere (a shift worker's audit, /tmp/w54/s S9). ``note``: the bracket's
    first words.
    """
    said: dict[str, list[str]] = {}
    for row in covariates["shifts"]:
        words = "each alcoholic drink" if row["covariate"] == "alcohol_drinks" else row["words"]
        said.setdefault(words, []).append(
            change_words(row["outcome"], row["median"], row["low"], row["high"]))
    return ("Also fitted: " + "; ".join(f"{w}: {', '.join(c)}" for w, c in said.items())
            + f" ({note + ', ' if note else ''}against a night without it; the model takes "
            "these out of magnesium's effects)")
