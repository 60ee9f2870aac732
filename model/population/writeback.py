"""Writing a population posterior back as priors, without losing anything.

The pieces :func:`model.population.hierarchical.write_priors` and ``mgsleep population
--write-priors`` share: the certainty rule of a written entry, the fitted person-level spreads
in ``settings.toml``, the checks of a target folder and its atomic installation. Nothing is
ever deleted that was not created here: files are staged in a new folder beside the target
and moved in (a new target by one rename, an existing one file by file, each with
``os.replace``); other files in an existing target stay.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import xarray as xr

from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.evidence.priorset import PriorSet

CERTAINTY_BY_PERSONS: tuple[tuple[int, str], ...] = ((30, "moderate"), (10, "low"), (0, "very low"))
"""Certainty of a written population entry by the persons informative for it (the first
threshold met): 30 or more randomised n-of-1 series count as moderate, never high (the
estimate rests on the model's assumptions), 10 to 29 as low, fewer as very low."""


def population_certainty(persons: int) -> str:
    """The certainty label of an entry informed by ``persons`` (:data:`CERTAINTY_BY_PERSONS`)."""
    return next(grade for least, grade in CERTAINTY_BY_PERSONS if persons >= least)


def fitted_spreads(posterior: xr.Dataset, priors: PriorSet) -> dict[str, float]:
    """The ``[personal]`` settings a population posterior implies (SMD units).

    Sleep outcomes share one setting per spread (the mean over them), GI has its own
    (``gi_*``); the expectation effect's mean is signed towards benefit, its SD is the
    person-level one (between-person SD and the uncertainty of the mean together).
    """
    smd = np.array([priors.settings.outcomes[o].smd_sd for o in OUTCOMES])
    sleep = np.array([OUTCOMES.index(o) for o in SLEEP_OUTCOMES])
    gi = OUTCOMES.index("gi")
    mean = {var: posterior[var].mean(("chain", "draw")).values for var in posterior.data_vars}
    resp, dev = mean["sd_resp"] / smd, mean["sd_dev"] / smd
    benefit = np.array([SPECS[o].sign for o in SLEEP_OUTCOMES])
    exp_sd = np.sqrt(mean["sd_expectation"] ** 2
                     + posterior["expectation"].var(("chain", "draw")).values)
    return {"responsiveness_smd": float(resp[sleep].mean()),
            "form_deviation_smd": float(dev[sleep].mean()),
            "gi_responsiveness_smd": float(resp[gi]), "gi_form_deviation_smd": float(dev[gi]),
            "expectation_mean_smd": float(np.mean(benefit * mean["expectation"] / smd[sleep])),
            "expectation_smd": float(np.mean(exp_sd / smd[sleep]))}


def write_spreads(settings: Path, values: Mapping[str, float]) -> None:
    """Replace the given ``key = number`` lines of a ``settings.toml`` (comments kept)."""
    text = settings.read_text()
    for key, value in values.items():
        text, count = re.subn(rf"^{key} = [0-9.eE+-]+", f"{key} = {value:.3f}", text,
                              flags=re.M)
        if count != 1:
            raise KeyError(f"{settings}: expected one line '{key} = ...', found {count}")
    settings.write_text(text)


def target_problem(target: str | Path, force: bool,
                   inputs: Mapping[str, str | Path | None]) -> str | None:
    """Why priors may not be written to ``target`` (``None`` when they may).

    Refused: a file; a folder that is, contains or lies inside one of the ``inputs``
    (name -> folder); a non-empty folder unless ``force``.
    """
    path = Path(os.path.realpath(target))
    if path.exists() and not path.is_dir():
        return "is a file; give a folder"
    for name, given in inputs.items():
        source = Path(os.path.realpath(given)) if given else None
        if source is not None and (source == path or path in source.parents
                                   or source in path.parents):
            return f"is, contains or lies inside the input {name}"
    if path.is_dir() and any(path.iterdir()) and not force:
        return "is not empty; give a new folder, or --force (force=True) to replace the " \
            "priors files in it"
    return None


@contextmanager
def staged_beside(target: str | Path) -> Iterator[Path]:
    """A new empty folder beside ``target`` (same file system), removed afterwards."""
    path = Path(os.path.realpath(target))
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install_priors(written: Path, target: str | Path) -> Path:
    """Move a staged priors folder to ``target``: one rename, or file by file into a folder.

    In an existing folder only the files of ``written`` are replaced (each atomically with
    ``os.replace``); nothing else there is touched.
    """
    path = Path(os.path.realpath(target))
    if not path.exists():
        written.replace(path)
        return path
    for file in sorted(p for p in written.rglob("*") if p.is_file()):
        destination = path / file.relative_to(written)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(file, destination)
    return path
