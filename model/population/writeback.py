"""Writing a population posterior back as priors, without losing anything.

The pieces :func:`model.population.hierarchical.write_priors` and ``mgsleep population
--write-priors`` share: the certainty rule of a written entry, the fitted person-level spreads
in ``settings.toml``, the checks of a target folder and its atomic installation. Nothing is
ever deleted that was not created here: files are staged in a new folder beside the target
and moved in (a new target by one rename, an existing one as one set with
:func:`model.core.atomic.move_all`: journalled renames, finished by the next
:func:`~model.evidence.priorset.load_priors` of the folder when the writer was killed between
two of them); other files in an existing target stay. The staging folder
(``.<target>.<pid>.<random>.tmp``) of a killed writer is swept by the next write-back or load.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from model.core.atomic import move_all, recover, sweep
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.evidence.priorset import PriorSet
from model.evidence.schema import EvidenceFile
from model.population.graph import population_prior

CERTAINTY_BY_PERSONS: tuple[tuple[int, str], ...] = ((30, "moderate"), (10, "low"), (0, "very low"))
"""Certainty of a written population entry by the persons informative for it (the first
threshold met): 30 or more randomised n-of-1 series count as moderate, never high (the
estimate rests on the model's assumptions), 10 to 29 as low, fewer as very low."""


def population_certainty(persons: int) -> str:
    """The certainty label of an entry informed by ``persons`` (:data:`CERTAINTY_BY_PERSONS`)."""
    return next(grade for least, grade in CERTAINTY_BY_PERSONS if persons >= least)


PERSON_FIT_WORDS = {
    "nuts": "NUTS per person",
    "laplace": "a Laplace approximation per person, which understates each person's "
               "uncertainty about the expectation effect and so overstates how much people "
               "differ in it"}
"""How each ``person_fit`` of :class:`~model.population.hierarchical.PopulationModel` is said
in the provenance of the priors written from it (:meth:`Provenance.run`)."""


DIARIES_IN = "of the diaries in "
"""Where :meth:`Provenance.run` names the diaries' folders (comma-separated, then ``:``)."""


def fitted_from(notes: str, directory: str | Path) -> bool:
    """Whether priors whose ``class.toml`` notes are ``notes`` were fitted from ``directory``.

    The folders are those :meth:`Provenance.run` names: fitted again on such priors, the same
    diaries' nights count twice.
    """
    start = notes.find(DIARIES_IN)
    if start < 0:
        return False
    folders = notes[start + len(DIARIES_IN):].split(": ", 1)[0].split(", ")
    return str(Path(directory).resolve()) in folders


@dataclass(frozen=True)
class Provenance:
    """What priors written back from one population fit rest on, said in each file written.

    The priors format keeps provenance in text: each entry's ``citation``, ``source`` and
    ``derivation``, a file's ``notes``, an ``[[excluded]]`` entry's ``reason`` and the comments
    of ``settings.toml``; so the run's inputs are written there (:meth:`run`).

    Attributes
    ----------
    tag : str
        The id prefix of the written entries.
    diaries : str
        Where the diaries fitted were read (their folders).
    persons, nights : int
        The persons fitted and their nights.
    seed : int or None
        The fit's ``random_seed``.
    person_fit : str
        How each person was fitted (:data:`PERSON_FIT_WORDS`).
    priors : pathlib.Path
        The priors folder the fit started from.
    day : str
        The date written (ISO).
    separable : int
        The diaries that separate magnesium from expectation (a withdrawal or placebo nights):
        with none, the form effects and the expectation effect are known only as their sum,
        which the written files now say (a population researcher's audit found no trace of it).

    """

    tag: str
    diaries: str
    persons: int
    nights: int
    seed: int | None
    person_fit: str
    priors: Path
    day: str
    separable: int = 0

    def run(self) -> str:
        """The run's inputs in one sentence: diaries, persons, nights, seed, person fit."""
        seed = f"seed {self.seed}" if self.seed is not None else "no seed (not reproducible)"
        return (f"mgsleep population {self.tag} ({self.day}) {DIARIES_IN}{self.diaries}: "
                f"{self.persons} persons, {self.nights} nights; {seed}; person fit "
                f"{self.person_fit} ({PERSON_FIT_WORDS[self.person_fit]}); started from the "
                f"priors in {self.priors}; {self.separable} of the {self.persons} diaries "
                "separate magnesium from expectation (a withdrawal or placebo nights)"
                + ("" if self.separable else ": with none, the form effects and the "
                   "expectation effect are known only as their sum"))

    def settings_note(self) -> str:
        """The comment on each value a write-back replaces in ``settings.toml``."""
        return (f"fitted by mgsleep population {self.tag}: pooled, from {self.persons} "
                "persons (the run's inputs: notes of class.toml)")

    def excluded(self, file: EvidenceFile) -> list[dict[str, str]]:
        """``[[excluded]]`` of a written file: the source file's entries, none lost.

        Its studies, inside the posterior, with their citation and source (the written file
        has only the posterior); its own ``[[excluded]]`` as they were.
        """
        return [{"id": s.id, "reason": f"inside the population posterior {self.tag}: "
                 f"{s.citation} ({s.source})"} for s in file.studies] + \
            [{"id": e.id, "reason": e.reason} for e in file.excluded]

    def entry(self, effect: Mapping[Any, Any]) -> dict[str, Any]:
        """The written entry of one form x outcome: the posterior of ``beta`` there.

        ``effect``: that form x outcome's row of the population's effects (``form``,
        ``outcome``, ``mean``, ``sd``, ``persons_informative``). Its ``n`` and certainty
        (:func:`population_certainty`) are the persons informative for that form x outcome,
        not every person fitted; with none, it has no ``n`` and its citation and derivation
        say that no diary informed it.
        """
        form, outcome = str(effect["form"]), str(effect["outcome"])
        informative = int(effect["persons_informative"])
        informed = (f"{informative} of the {self.persons} persons informative"
                    if informative else f"0 persons informative: none of the {self.persons} "
                    "diaries informed it (about the evidence prior the fit started from)")
        return {"id": f"{self.tag}_{form.upper()}_{outcome.upper()}", "outcome": outcome,
                "kind": "population",
                "citation": f"mgsleep population fit, {informed} ({self.nights} nights, "
                            f"{self.day})",
                "source": self.run(), "design": "hierarchical series of n-of-1 trials",
                "measure": "posterior", "certainty": population_certainty(informative),
                "effect": float(effect["mean"]), "se": float(effect["sd"]),
                "derivation": f"posterior mean and sd of the population effect; {informed}; "
                              "used as the prior as it is (no further discount)"} | (
            {"n": informative} if informative else {})


SPREADS = ("sd_resp", "sd_dev", "sd_expectation")
"""The population's between-person spreads, each with a half-normal prior of twice the
person-level setting (:func:`model.population.graph.population_prior`)."""


def learnt_spreads(posterior: xr.Dataset, priors: PriorSet) -> dict[str, np.ndarray]:
    """Each spread as the diaries tell it: from its starting setting as far as they inform it.

    ``learnt = 1 - posterior variance / prior variance`` (0 to 1) weighs the posterior mean
    against the setting the fit started from. The half-normal prior of twice the setting has
    a mean of 1.6 times it, so a spread the diaries said nothing of was written back 1.6 times
    larger, and again on every round (0.5, 0.79, 1.25 SMD from one 20-night diary: a
    population researcher's audit); it now stays the setting.
    """
    prior = population_prior(priors)
    half_normal = 1 - 2 / np.pi          # a half-normal's variance over its scale squared
    out = {}
    for var in SPREADS:
        scale = prior[f"{var}_scale"]
        learnt = np.clip(1 - posterior[var].var(("chain", "draw")).values
                         / (scale**2 * half_normal), 0.0, 1.0)
        out[var] = learnt * posterior[var].mean(("chain", "draw")).values \
            + (1 - learnt) * scale / 2
    return out


def _fitted_smd(posterior: xr.Dataset, priors: PriorSet) -> dict[str, np.ndarray]:
    """Per-outcome person-level values of a population posterior, in SMD units.

    ``responsiveness_smd`` and ``form_deviation_smd`` over every outcome; the expectation
    effect's mean (signed towards benefit) and its person-level SD (between-person SD and the
    uncertainty of the mean together) over the sleep outcomes.
    """
    smd = np.array([priors.settings.outcomes[o].smd_sd for o in OUTCOMES])
    sleep = smd[[OUTCOMES.index(o) for o in SLEEP_OUTCOMES]]
    mean = {str(var): posterior[var].mean(("chain", "draw")).values
            for var in posterior.data_vars} | learnt_spreads(posterior, priors)
    benefit = np.array([SPECS[o].sign for o in SLEEP_OUTCOMES])
    exp_sd = np.sqrt(mean["sd_expectation"] ** 2
                     + posterior["expectation"].var(("chain", "draw")).values)
    return {"responsiveness_smd": mean["sd_resp"] / smd,
            "form_deviation_smd": mean["sd_dev"] / smd,
            "expectation_mean_smd": benefit * mean["expectation"] / sleep,
            "expectation_smd": exp_sd / sleep}


SPREAD_KEYS = ("responsiveness_smd", "form_deviation_smd", "gi_responsiveness_smd",
               "gi_form_deviation_smd", "expectation_mean_smd", "expectation_smd")
"""The ``[personal]`` keys of ``settings.toml`` a write-back replaces (:func:`fitted_spreads`)."""


def fitted_spreads(posterior: xr.Dataset, priors: PriorSet) -> dict[str, float]:
    """The shared ``[personal]`` settings a population posterior implies (SMD units).

    Sleep outcomes share one setting per value (the mean over them; each outcome's own is in
    :func:`fitted_by_outcome`), GI has its own spreads (``gi_*``); the keys are
    :data:`SPREAD_KEYS`.
    """
    fitted = _fitted_smd(posterior, priors)
    sleep = np.array([OUTCOMES.index(o) for o in SLEEP_OUTCOMES])
    gi = OUTCOMES.index("gi")
    return dict(zip(SPREAD_KEYS, (
        float(fitted["responsiveness_smd"][sleep].mean()),
        float(fitted["form_deviation_smd"][sleep].mean()),
        float(fitted["responsiveness_smd"][gi]), float(fitted["form_deviation_smd"][gi]),
        float(fitted["expectation_mean_smd"].mean()),
        float(fitted["expectation_smd"].mean())), strict=True))


def fitted_by_outcome(posterior: xr.Dataset, priors: PriorSet) -> dict[str, dict[str, float]]:
    """Each sleep outcome's own ``[personal.by_outcome.<outcome>]`` values (SMD units).

    The population's effects ``beta`` are estimated jointly with its expectation effect per
    outcome (a crossover of forms taken one after another tells their sum better than their
    split), so priors written from it keep the expectation effect per outcome: averaged over
    outcomes it broke that pairing.
    """
    fitted = _fitted_smd(posterior, priors)
    out: dict[str, dict[str, float]] = {}
    for k, outcome in enumerate(SLEEP_OUTCOMES):
        j = OUTCOMES.index(outcome)
        out[outcome] = {"responsiveness_smd": float(fitted["responsiveness_smd"][j]),
                        "form_deviation_smd": float(fitted["form_deviation_smd"][j]),
                        "expectation_mean_smd": float(fitted["expectation_mean_smd"][k]),
                        "expectation_smd": float(fitted["expectation_smd"][k])}
    return out


def _value_line(key: str) -> re.Pattern[str]:
    """A line ``key = number`` as TOML may write it (spaces, a quoted key, a comment after).

    Group 1 is everything before the number, kept when the number is replaced.
    """
    name = re.escape(key)
    return re.compile(rf"""^([ \t]*(?:{name}|"{name}"|'{name}')[ \t]*=[ \t]*)"""
                      r"[+-]?[0-9][0-9_]*(?:\.[0-9_]+)?(?:[eE][+-]?[0-9_]+)?", re.M)


def spreads_problem(settings: Path, keys: tuple[str, ...] = SPREAD_KEYS) -> str | None:
    """Why :func:`write_spreads` could not rewrite ``keys`` in ``settings`` (None: it can).

    Each key needs exactly one line ``key = number`` outside ``[personal.by_outcome.*]``
    (a dotted key, an inline table or a second line would be missed or ambiguous): checked
    before a population fit (:func:`target_problem`), so a fit is not lost at its end.
    """
    text, _ = _split_by_outcome(settings.read_text())
    found = {key: len(_value_line(key).findall(text)) for key in keys}
    wrong = [f"{key} ({count} lines)" for key, count in found.items() if count != 1]
    return (f"its {settings} needs one line `key = number` in [personal] for each fitted "
            f"value, to write it back: {', '.join(wrong)}") if wrong else None


def write_spreads(settings: Path, values: Mapping[str, float],
                  by_outcome: Mapping[str, Mapping[str, float]] | None = None,
                  note: str = "fitted by mgsleep population") -> None:
    """Replace the given ``key = number`` lines of a ``settings.toml``, with their comments.

    Each replaced line says ``# note`` after its number, where the new value comes from; the
    comments that described the old value go (:func:`_replaced`: the bundled "centred on a
    benefit of 0.3 SMD ... (SD 0.5 SMD)" stood above a written ``expectation_mean_smd =
    -0.001``). Every other line is kept. ``by_outcome`` replaces the file's
    ``[personal.by_outcome.<outcome>]`` tables (written at the end of the file, each headed
    ``# note``); without it they are kept as they are.

    Raises
    ------
    KeyError
        When a key has not exactly one line (:func:`spreads_problem`).

    """
    why = spreads_problem(settings, tuple(values))
    if why:
        raise KeyError(why)
    text, tables = _split_by_outcome(settings.read_text())
    for key, value in values.items():
        text = _replaced(text, key, f"{value:.3f}   # {note}")
    if by_outcome is not None:
        tables = "".join(
            f"\n[personal.by_outcome.{outcome}]   # {note}\n"
            + "".join(f"{key} = {value:.3f}\n" for key, value in table.items())
            for outcome, table in by_outcome.items())
    settings.write_text(text.rstrip("\n") + "\n" + tables)


def _replaced(text: str, key: str, new: str) -> str:
    """``text`` with the line of ``key`` ending in ``new`` and its old comments removed.

    The comments of a value are the comment lines right above its line (up to a blank or any
    other line) and a comment after its number: they describe the value replaced. ``key`` has
    one line (:func:`spreads_problem`).
    """
    lines = text.splitlines(keepends=True)
    pattern = _value_line(key)
    at, found = next((i, m) for i, line in enumerate(lines) if (m := pattern.match(line)))
    first = at
    while first > 0 and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    lines[first:at + 1] = [f"{found.group(1)}{new}\n"]
    return "".join(lines)


def _split_by_outcome(text: str) -> tuple[str, str]:
    """``settings.toml`` text without its ``[personal.by_outcome.*]`` tables, and those tables."""
    parts: tuple[list[str], list[str]] = ([], [])
    inside = False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("["):
            inside = line.lstrip().startswith("[personal.by_outcome.")
        parts[inside].append(line)
    tables = "".join(parts[1])
    return "".join(parts[0]), ("\n" + tables if tables else "")


def target_problem(target: str | Path, force: bool,
                   inputs: Mapping[str, str | Path | None]) -> str | None:
    """Why priors may not be written to ``target`` (``None`` when they may).

    Refused: a file; a folder that is, contains or lies inside one of the ``inputs``
    (name -> folder); a non-empty folder unless ``force``; an input priors folder (one with
    a ``settings.toml``) whose fitted values could not be written back
    (:func:`spreads_problem`), found before the fit rather than after it.
    """
    for name, given in inputs.items():
        settings = Path(given) / "settings.toml" if given else None
        why = spreads_problem(settings) if settings and settings.is_file() else None
        if why:
            return f"cannot be written from the input {name}: {why}"
    path = Path(os.path.realpath(target))
    if path.exists() and not path.is_dir():
        return "is a file; give a folder"
    for name, given in inputs.items():
        source = Path(os.path.realpath(given)) if given else None
        if source is not None and (source == path or path in source.parents
                                   or source in path.parents):
            return f"is, contains or lies inside the input {name}"
    if path.is_dir() and any(path.iterdir()) and not force:
        return "is not empty; give a new folder, or --force (force=True in Python) to " \
            "replace the priors files in it"
    return None


@contextmanager
def staged_beside(target: str | Path) -> Iterator[Path]:
    """A new empty folder beside ``target`` (same file system), removed afterwards.

    Named ``.<target>.<pid>.<random>.tmp``: those of processes no longer running (killed while
    writing) are removed first (:func:`model.core.atomic.sweep`).
    """
    path = Path(os.path.realpath(target))
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep(path)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                                    dir=path.parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install_priors(written: Path, target: str | Path) -> Path:
    """Move a staged priors folder to ``target``: one rename, or as one set into a folder.

    In an existing folder only the files of ``written`` are replaced, all or none as any later
    reader sees them (:func:`model.core.atomic.move_all`, its journal in ``target``, which
    :func:`~model.evidence.priorset.load_priors` rolls forward); nothing else there is
    touched. A set a killed write-back left unfinished there is finished first.
    """
    path = Path(os.path.realpath(target))
    if not path.exists():
        written.replace(path)
        return path
    recover(path)
    files = sorted(p for p in written.rglob("*") if p.is_file())
    for file in files:
        (path / file.relative_to(written)).parent.mkdir(parents=True, exist_ok=True)
    move_all([(file, path / file.relative_to(written)) for file in files], path)
    return path
