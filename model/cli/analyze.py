"""``mgsleep analyze``: fit a diary, decide the next step, report."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from model.cli.options import add_mcmc_arguments, parse_date
from model.core.atomic import write_json

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep analyze``."""
    parser = subparsers.add_parser(
        "analyze", help="fit your diary and get the next step",
        description="Fit the personal magnesium model to a nightly diary and recommend the "
        "next step (start, continue, change dose or form, stop, or see a clinician), with "
        "how sure it is and when to look again. Supports, does not replace, clinical advice.")
    parser.add_argument("diary", metavar="DIARY", help="the diary CSV (never modified)")
    parser.add_argument("--profile", metavar="PROFILE.toml", help="your profile (safety facts "
                        "and preferences)")
    parser.add_argument("--priors", metavar="DIR", help="a priors directory (default: bundled)")
    parser.add_argument("--json", metavar="PATH", help="write the JSON result ('-' = stdout)")
    parser.add_argument("--report", metavar="PATH", help="write a self-contained HTML report")
    parser.add_argument("--clinician", metavar="PATH", help="write a one-page summary for a "
                        "clinician (HTML that prints on one A4 page)")
    parser.add_argument("--pdf", metavar="PATH", help="write the clinician summary as a PDF "
                        "(needs WeasyPrint or Chromium; skipped with a message without)")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="analyse the diary as it stood on this date")
    add_mcmc_arguments(parser)
    parser.set_defaults(handler=run)


def print_summary(result: Analysis) -> None:
    """A short readable summary of an analysis on standard output: the headline first."""
    from model.report.headline import headline, sampler_name

    rec = result.decision.recommendation
    diag = result.fit.diagnostics_
    print(f"Diary: {result.diary.n_recorded} nights up to {result.as_of} "
          f"({', '.join(f'{k}: {v}' for k, v in result.diary.regimen_counts().items())})")
    print(f"Fit: {result.fit.fit_seconds_:.1f} s with {sampler_name(result.fit)}; diagnostics "
          f"{'ok' if diag.ok else 'FAILED'} (max R-hat {diag.max_rhat:.3f}, min bulk ESS "
          f"{diag.min_ess_bulk:.0f}, {diag.divergences} divergences"
          + (f"; {diag.attempts} runs" if diag.attempts > 1 else "") + ")")
    for reason in result.separability.reasons:
        print(f"Caution: {reason}.")
    print()
    print("\n".join(headline(result).lines()))
    print("\nThe decision in detail:")
    for reason in rec.reasons:
        print(f"  - {reason}")
    for warning in rec.warnings:
        print(f"  ! {warning}")
    held = [s for s in result.sensitivity if not s.holds]
    print("\nPrior sensitivity: " + ("the recommendation holds under a sceptical and a "
                                    "confident prior" if not held else "changes under the "
                                    + ", ".join(f"{s.prior} prior (-> {s.action})"
                                                for s in held)))
    print("\nmgsleep supports, and does not replace, advice from a clinician.")


def run(args: argparse.Namespace) -> int:
    """Analyse, print the summary, write the requested outputs (atomically)."""
    from model.analysis.pipeline import analyze

    as_of = parse_date(args.as_of, "--as-of") if args.as_of else None
    result = analyze(args.diary, profile=args.profile, priors=args.priors, as_of=as_of,
                     draws=args.draws, chains=args.chains, sampler=args.sampler, seed=args.seed,
                     progress=sys.stderr.isatty() or args.json != "-")
    payload = result.to_json()
    if args.report:
        from model.report.html import write_report

        write_report(result, args.report)
    if args.clinician or args.pdf:
        from model.report.clinician import write_clinician, write_pdf_or_say

        if args.clinician:
            write_clinician(result, args.clinician)
        if args.pdf:
            write_pdf_or_say(result, args.pdf)
    if args.json:
        write_json(args.json, payload)
    if args.json != "-":
        print_summary(result)
    return 0
