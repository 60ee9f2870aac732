"""One small fitted analysis shared by the plot and report tests (one fit per test process).

The demo's example diary with a placebo run instead of the washout, two unrecorded nights and
a diary note that tries to inject a script.
"""

import functools

from model.analysis.pipeline import Analysis, analyze
from model.cli.demo import example_diary
from model.data.diary import read_diary

SCRIPT_NOTE = "<script>alert(1)</script> & a \"quoted\" note"
PLACEBO_NIGHTS = slice(35, 44)   # the washout between citrate and glycinate (rows, inclusive)
DROPPED_ROWS = [50, 51]          # unrecorded nights inside the glycinate run


@functools.cache
def example_analysis() -> Analysis:
    frame = example_diary()
    frame.loc[PLACEBO_NIGHTS, "form"] = "placebo"
    frame.loc[3, "notes"] = SCRIPT_NOTE
    frame = frame.drop(index=DROPPED_ROWS)
    return analyze(read_diary(frame), draws=1000, tune=400, chains=4, seed=0)
