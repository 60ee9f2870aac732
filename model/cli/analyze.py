"""``mgsleep analyze``: fit a diary, decide the next step, report."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from typing import TYPE_CHECKING, Any

from model.cli.environment import lazy_dask_probe
from model.cli.options import add_mcmc_arguments, add_profile_options, parse_date
from model.core.atomic import check_outputs, json_text, write_all
from model.core.errors import Fault, InputError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from model.analysis.pipeline import Analysis
    from model.analysis.since_last import SinceLast
    from model.personal.power import PowerScaling


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep analyze``."""
    parser = subparsers.add_parser(
        "analyze", help="fit your diary and get the next step",
        description="Fit the personal magnesium model to a nightly diary and recommend the "
        "next step (start, continue, change dose or form, stop, or see a clinician), with "
        "how sure it is and when to look again. Supports, does not replace, clinical advice.")
    parser.add_argument("diary", metavar="DIARY", help="the diary CSV (never modified)")
    add_profile_options(parser)
    parser.add_argument("--priors", metavar="DIR", help="a priors directory (default: bundled; "
                        "its safety.toml may only be stricter than the bundled one)")
    parser.add_argument("--json", metavar="PATH", help="write the JSON result ('-' = stdout)")
    parser.add_argument("--report", metavar="PATH", help="write a self-contained HTML report")
    parser.add_argument("--clinician", metavar="PATH", help="write a short summary for a "
                        "clinician (HTML that prints on A4: one page for a few regimens, the "
                        "evidence table on a second for a longer history)")
    parser.add_argument("--pdf", metavar="PATH", help="write the clinician summary as a PDF "
                        "(needs WeasyPrint or Chromium; skipped with a message without)")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="analyse the nights up to this date, this night included "
                        "(the night that began on it): the morning after it, as it stood (default: "
                        "the diary's last night slept)")
    parser.add_argument("--power-scaling", action="store_true",
                        help="also measure each effect's sensitivity to the prior and the "
                        "diary by power-scaling (no refit; adds power_scaling to the JSON)")
    parser.add_argument("--cache", metavar="DIR", help="keep each diary's last fit here, so "
                        "that a diary with new nights is updated in seconds, and its last "
                        "result, to say what changed since (default: "
                        "$MGSLEEP_CACHE, else $XDG_CACHE_HOME/mgsleep/fits, else "
                        "~/.cache/mgsleep/fits; the least recently used fits go "
                        "beyond $MGSLEEP_CACHE_LIMIT_MB, default 1000)")
    parser.add_argument("--no-cache", action="store_true", help="always fit from scratch and "
                        "keep nothing")
    add_mcmc_arguments(parser)
    parser.set_defaults(handler=run)


def print_summary(result: Analysis, since: SinceLast | None = None) -> None:
    """A short readable summary of an analysis on standard output: the headline first.

    ``since``: what changed since the diary's last analysis, said just before the headline
    (:mod:`model.analysis.since_last`).
    """
    from model.analysis.fit_cache import FIT_WORDS
    from model.report.headline import headline, sampler_name
    from model.report.how_sure import sensitivity_step
    from model.report.shift_words import shift_lines

    rec = result.decision.recommendation
    diag = result.fit.diagnostics_
    print(f"Diary: {result.diary.n_recorded} nights up to {result.as_of} "
          f"({result.diary.nights_per_regimen()})")
    took = (f"{FIT_WORDS['cached']}, " if result.fit_how == "cached"
            else f"{result.fit.fit_seconds_:.1f} s with ")
    print(f"Fit: {took}{sampler_name(result.fit)}; diagnostics "
          f"{diag.words()} (max R-hat {diag.max_rhat:.3f}, min bulk ESS "
          f"{diag.min_ess_bulk:.0f}, {diag.divergences} divergences"
          + (f"; {diag.attempts} runs" if diag.attempts > 1 else "")
          + f"); seed {result.fit.seed_}")
    priors = result.priors_entry()
    if not priors["bundled"]:
        print(f"Priors: {priors['directory']} (not the bundled evidence)")
    for reason in result.cautions():
        print(f"Caution: {reason}.")
    for line in shift_lines(result):
        print(line)
    print()
    if since is not None:
        print(since.words())
    print("\n".join(headline(result).lines()))
    print("\nThe decision in detail:")
    for reason in rec.reasons:
        print(f"  - {reason}")
    for warning in rec.warnings:
        print(f"  ! {warning}")
    held = [s for s in result.sensitivity if not s.holds]
    print("\nPrior sensitivity: " + (result.sensitivity_skipped() if not result.sensitivity else
                                    "the recommendation holds under a sceptical and a "
                                    "confident prior and a larger expectation effect"
                                    if not held else "changes under the "
                                    + ", ".join(f"{s.prior} prior (-> {sensitivity_step(s)})"
                                                for s in held)))
    if result.power is not None:
        print(power_line(result.power))
    print("\nmgsleep supports, and does not replace, advice from a clinician.")


def power_line(power: PowerScaling) -> str:
    """The terminal's line on power-scaling sensitivity (``--power-scaling``)."""
    conflict, strong = power.flagged("conflict"), power.flagged("strong prior")
    words = (f"{len(strong)} effects follow mostly the prior (untried forms do), "
             f"{len(conflict)} show a possible prior-data conflict"
             + (f" ({', '.join(conflict)})" if conflict else ""))
    if not power.reliable:
        words += "; not reliable (Pareto k above 0.7: a refit under another prior says more)"
    return "Power-scaling: " + words


def input_warnings(read: Sequence[str], caught: list[warnings.WarningMessage]) -> list[str]:
    """The diary's (``read``), the profile's and the fit cache's warnings, each printed once.

    On stderr; they are also ``--json``'s ``warnings``. Other warnings caught (from
    libraries) are shown as Python shows them.
    """
    from model.analysis.fit_cache import CacheWarning
    from model.data.diary import DiaryWarning
    from model.data.profile import ProfileWarning

    notes = list(read)
    for item in caught:
        if issubclass(item.category, (ProfileWarning, CacheWarning, DiaryWarning)):
            notes.append(str(item.message))
        else:
            warnings.showwarning(item.message, item.category, item.filename, item.lineno)
    notes = list(dict.fromkeys(notes))
    for note in notes:
        print(f"mgsleep analyze: warning: {note}", file=sys.stderr)
    return notes


def with_profile_notes(error: InputError, caught: list[warnings.WarningMessage]) -> InputError:
    """A refusal with what the profile was read with after its faults (NOT CHECKED names).

    The profile's warnings were caught for the JSON, and a refusal (too few nights, a
    blinded diary) dropped them: a medicine accepted unchecked went unsaid (a review of a
    clinic's audit fixes). After the faults, so that a blinded trial's stop stays first.
    """
    from model.data.profile import ProfileWarning

    notes = dict.fromkeys(str(w.message) for w in caught
                          if issubclass(w.category, ProfileWarning))
    if not notes:
        return error
    return type(error)([*error.faults, *(Fault("", "", f"warning: {note}") for note in notes)])


def _cache_dir(args: argparse.Namespace) -> str | None:
    """Where analyze keeps fits: ``--cache``, else the default; None with ``--no-cache``."""
    if args.no_cache:
        return None
    from model.analysis.fit_cache import default_cache_dir

    return args.cache or str(default_cache_dir())


def run(args: argparse.Namespace) -> int:
    """Analyse, print the summary, write the requested outputs (atomically, together).

    Exits 1 after writing them when the fit failed its checks (:func:`not_converged`).
    """
    lazy_dask_probe()  # before the first xarray array: ~0.6 s of a 2-3 s re-analysis
    from model.analysis.fit_cache import CacheWarning
    from model.analysis.pipeline import analyze
    from model.analysis.since_last import record_at, since_last
    from model.data.diary import DiaryWarning
    from model.data.profile import ProfileWarning

    check_outputs({"--json": args.json, "--report": args.report,
                   "--clinician": args.clinician, "--pdf": args.pdf},
                  {"DIARY": args.diary, "--profile": args.profile, "--priors": args.priors})
    as_of = parse_date(args.as_of, "--as-of") if args.as_of else None
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ProfileWarning)
            warnings.simplefilter("always", CacheWarning)
            warnings.simplefilter("always", DiaryWarning)
            result = analyze(args.diary, profile=args.profile, priors=args.priors,
                             as_of=as_of, draws=args.draws, chains=args.chains,
                             sampler=args.sampler, seed=args.seed,
                             progress=sys.stderr.isatty() or args.json != "-",
                             allow_unknown=args.allow_unknown, cache=_cache_dir(args),
                             power_scaling=args.power_scaling,
                             today=None if as_of else dt.date.today())
            record = record_at(args.diary, _cache_dir(args))
            since = since_last(result, record, args.diary, dt.date.today())
    except InputError as error:
        raise with_profile_notes(error, caught) from None
    notes = input_warnings(result.diary.warnings, caught)
    files: list[tuple[str, str | bytes]] = []
    if args.report:
        from model.report.html import render_report

        files.append((args.report, render_report(result)))
    if args.clinician:
        from model.report.clinician import render_clinician

        files.append((args.clinician, render_clinician(result)))
    if args.json:
        files.append((args.json, json_text(result.to_json() | {
            "since_last": None if since is None else since.to_dict(), "warnings": notes})))
    if args.pdf:
        from model.report.clinician import pdf_or_say

        pdf = pdf_or_say(result, args.pdf)
        files += [] if pdf is None else [(args.pdf, pdf)]
    write_all(files, like=[args.diary, args.profile])   # a private diary: private reports
    if record is not None:
        remember(result, record, args.diary)
    if args.json != "-":
        print_summary(result, since)
    return not_converged(result)


def remember(result: Analysis, record: Path, diary: str) -> None:
    """Keep this result for the next run's "Since your last analysis", once it is given.

    After the outputs are written: a run whose outputs failed told the person nothing to
    compare with. A record that cannot be kept is a warning on standard error (the JSON,
    already written, cannot hold it).
    """
    from model.analysis.fit_cache import CacheWarning
    from model.analysis.since_last import LastResult, keep_last

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CacheWarning)
        keep_last(record, LastResult.of(result, dt.date.today()), diary)
    input_warnings((), caught)


def not_converged(result: Analysis) -> int:
    """The exit code once the outputs are written: 1 when the fit failed its checks, else 0.

    As ``nof1`` and ``population``: the results are written, marked (``diagnostics.ok``
    false, reason code ``diagnostics_failed``), and not to be acted on. A clinic's audit: a
    fit with R-hat 1.55 exited 0, and a weekly batch reading exit codes took it for a result;
    a safety rule's advice in it stands, as the line on standard error says.
    """
    diagnostics = result.fit.diagnostics_
    if diagnostics.ok:
        return 0
    print(f"mgsleep analyze: NOT CONVERGED ({'; '.join(diagnostics.failures())}): results "
          "written, with no dosing advice (a safety rule's advice in them stands): analyse "
          "again with more --draws or another --seed", file=sys.stderr)
    return 1
