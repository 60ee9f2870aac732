"""``mgsleep plan``: a randomised n-of-1 schedule, its diary, calendar and sealed key."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from model.cli.options import MAX_NIGHTS, SEED, add_profile_options, bounded_int, parse_date
from model.core.atomic import check_outputs, json_text, write_all
from model.core.errors import Fault, InputError
from model.core.forms import PLACEBO
from model.core.progress import ProgressLine, show_progress
from model.trial.periods import BASELINE_DAYS, CYCLES, DOSE_MG, PERIOD_DAYS

if TYPE_CHECKING:
    from model.data.profile import Profile
    from model.trial.plan import TrialPlan

OPTIONS: dict[str, str] = {"forms": "--forms", "dose_mg": "--dose", "profile": "--profile",
                           "baseline_days": "--baseline-days", "period_days": "--period-days",
                           "washout_days": "--washout-days", "cycles": "--cycles"}
"""The option of each :func:`plan_trial` parameter (for error messages)."""


WASHOUT_HELP = ("nights without magnesium between periods (default: the nights the analysis "
                "needs to count one as a withdrawal, from the priors' build-up time: {nights})")
"""The help of ``--washout-days``; its default computed when the help is shown."""


class PlanHelp(argparse.HelpFormatter):
    """``plan --help`` with the default washout computed, not restated.

    The help said "14", a number :func:`~model.trial.periods.withdrawal_washout` computes from
    ``settings.toml`` (a maintainer's review); computed only when the help is shown, since it
    loads the priors, which every other command would pay for at start-up.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        """The action's help, the washout's with its computed default."""
        from model.trial.periods import withdrawal_washout

        if action.help == WASHOUT_HELP:
            return WASHOUT_HELP.format(nights=withdrawal_washout())
        return action.help


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep plan``."""
    parser = subparsers.add_parser(
        "plan", help="make a randomised trial schedule for your diary", formatter_class=PlanHelp,
        description="Plan an n-of-1 trial: a baseline without magnesium, then each form once "
        "per cycle in random order (mirrored in the next cycle), with a washout between "
        "treatment periods. Writes the diary to fill in (--out), a calendar (--ics) and, "
        "with --blind, a sealed key; --simulate estimates how often the plan leads to the "
        "right choice. With --profile the safety rules apply as in analyze: a "
        "contraindication plans nothing (see a clinician), an excluded form is refused, the "
        "dose is at most your ceiling and the profile's warnings are printed.")
    parser.add_argument("--forms", required=True, metavar="F1,F2",
                        help="forms to compare, comma-separated (placebo allowed)")
    parser.add_argument("--dose", type=float, default=DOSE_MG, metavar="MG",
                        help=f"elemental mg per day (default {DOSE_MG:g}; at most your "
                        "ceiling)")
    add_profile_options(parser)
    parser.add_argument("--baseline-days", type=int, default=BASELINE_DAYS, metavar="N",
                        help=f"nights without magnesium first (default {BASELINE_DAYS})")
    parser.add_argument("--period-days", type=int, default=PERIOD_DAYS, metavar="N",
                        help=f"nights per treatment period (default {PERIOD_DAYS})")
    parser.add_argument("--washout-days", type=int, metavar="N", help=WASHOUT_HELP)
    parser.add_argument("--cycles", type=int, default=CYCLES, metavar="N",
                        help=f"cycles; each gives every form one period (default {CYCLES})")
    parser.add_argument("--start", metavar="YYYY-MM-DD", help="first night (default today)")
    parser.add_argument("--titration", action="store_true",
                        help="before each period's --period-days at the target dose, 7 "
                        "nights at each 100 mg step below it (100, 200, ...)")
    parser.add_argument("--blind", action="store_true",
                        help="code the forms A, B, ... and add a placebo arm; the key goes to "
                        "--key (default: plan.key.json beside --out plan.csv)")
    parser.add_argument("--key", metavar="PATH", help="where to write the sealed key (JSON)")
    parser.add_argument("--seed", type=SEED, metavar="N",
                        help="random seed, 0 to 2**32-1 (reproducible)")
    parser.add_argument("--out", metavar="CSV", help="write the diary to fill in ('-' = stdout)")
    parser.add_argument("--ics", metavar="PATH", help="write an iCalendar file of the periods")
    parser.add_argument("--simulate", action="store_true",
                        help="estimate P(right decision), regret and when it becomes clear")
    parser.add_argument("--sims", type=bounded_int(1, 100_000), default=100, metavar="N",
                        help="simulated persons for --simulate (default 100)")
    parser.add_argument("--json", metavar="PATH", help="write the plan and simulation as JSON "
                        "('-' = stdout)")
    parser.set_defaults(handler=run)


def _profile(args: argparse.Namespace) -> Profile:
    """The ``--profile`` (default: none), its adjustments warned about on standard error."""
    from model.data.profile import ProfileWarning, load_profile

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProfileWarning)
        profile = load_profile(args.profile, allow_unknown=args.allow_unknown)
    for item in caught:
        print(f"mgsleep plan: warning: {item.message}", file=sys.stderr)
    return profile


def _build(args: argparse.Namespace) -> TrialPlan:
    """Build the plan, or raise an InputError naming every invalid option."""
    from model.trial.plan import plan_trial

    faults: list[Fault] = []
    start = dt.date.today()
    try:
        start = parse_date(args.start, "--start") if args.start else start
    except InputError as error:
        faults += error.faults
    if args.sims < 1:
        faults.append(Fault("--sims", "", f"expected at least 1, got {args.sims}"))
    longest = _longest(args)
    if longest > MAX_NIGHTS:
        faults.append(Fault("--cycles", "", f"the plan would last {longest} nights; "
                            f"expected at most {MAX_NIGHTS}: fewer cycles or shorter periods"))
        raise InputError(faults)
    if args.blind and not (args.key or (args.out and args.out != "-")):
        faults.append(Fault("--blind", "", "the sealed key needs a file: give --key PATH "
                            "(or --out CSV to write it next to the diary)"))
    try:
        plan = plan_trial(args.forms.split(","), dose_mg=args.dose,
                          baseline_days=args.baseline_days, period_days=args.period_days,
                          washout_days=args.washout_days, cycles=args.cycles, start=start,
                          blind=args.blind, seed=args.seed, titration=args.titration,
                          profile=_profile(args))
    except InputError as error:
        names = OPTIONS | ({"profile": args.profile} if args.profile else {})
        faults += [Fault(names.get(f.file, f.file), f.where, f.message) for f in error.faults]
    if faults:
        raise InputError(faults)
    return plan


def _longest(args: argparse.Namespace) -> int:
    """The nights the options plan, counted before the plan is built (to refuse a long one).

    Every arm (a placebo arm added by ``--blind`` only when ``--forms`` has none) gets one
    treatment period a cycle: with ``--titration`` its steps below the dose first
    (:func:`model.trial.periods.titration_doses`, at most the diary's largest dose), then
    ``--period-days``; a washout before every period but the first.
    """
    from model.data.diary_rows import NUMERIC
    from model.trial.periods import TITRATION_STEP_DAYS, titration_doses, washout_nights
    from model.trial.plan import parse_forms

    arms = parse_forms(args.forms.split(","))[0]
    periods = args.cycles * (len(arms) + (args.blind and PLACEBO not in arms))
    dose = min(args.dose, NUMERIC["elemental_mg"].high) if math.isfinite(args.dose) else 0.0
    steps = len(titration_doses(dose)) - 1 if args.titration else 0
    treatment = args.period_days + steps * TITRATION_STEP_DAYS
    washout = washout_nights(args.washout_days)
    return args.baseline_days + periods * treatment + max(0, periods - 1) * washout


def key_path(args: argparse.Namespace) -> Path:
    """Where the sealed key goes: ``--key``, else ``<out stem>.key.json`` beside ``--out``."""
    if args.key:
        return Path(args.key)
    out = Path(args.out)
    return out.with_name(f"{out.stem}.key.json")


def _payload(plan: TrialPlan, simulation: dict[str, Any] | None) -> dict[str, Any]:
    """The ``--json`` document (README, "JSON outputs").

    A period's ``cycle`` is null outside the treatment periods, where the table leaves it blank.
    """
    periods = [row | {"cycle": int(row["cycle"]) if row["cycle"] != "" else None}
               for row in plan.table().to_dict(orient="records")]
    return {"schema_version": 4, "design": plan.design, "blind": plan.blind,
            "warnings": list(plan.warnings), "cautions": list(plan.cautions),
            "design_notes": list(plan.design_notes()),
            "seed": None if plan.blind else plan.seed,   # a blind plan's seed remakes its codes
            "nights": plan.n_nights, "start": plan.start.isoformat(),
            "end": plan.end.isoformat(), "periods": periods, "simulation": simulation}


def _said(args: argparse.Namespace) -> TextIO | None:
    """Where the lines for people go, or None for nowhere (the JSON takes standard output).

    Standard error when the diary takes standard output (``--out -``, piped as a CSV).
    """
    if args.json == "-":
        return None
    return sys.stderr if args.out == "-" else sys.stdout


def _show(plan: TrialPlan, said: TextIO, simulated: str | None) -> None:
    """Print the schedule, its safety warnings, its design notes and the simulation.

    And what to write of a menstrual cycle (:data:`~model.report.diary_words.CYCLE_LINE`): a
    plan's periods of weeks can each fall in the same phase of one.
    """
    from model.report.diary_words import CYCLE_LINE

    print(f"Trial plan: {plan.n_nights} nights, {plan.start} to {plan.end}"
          + (" (blinded: pots coded by letter; the key is sealed)" if plan.blind else ""),
          file=said)
    print(plan.table().to_string(index=False), file=said)
    for note in plan.warnings:
        print(f"Safety: {note.rstrip('.')}.", file=said)
    for note in plan.design_notes():
        print(note, file=said)
    print(CYCLE_LINE, file=said)
    if simulated is not None:
        print("\n" + simulated, file=said)


def check_nothing_lost(args: argparse.Namespace) -> None:
    """Refuse to write a plan over a diary or over a sealed key (nothing is written).

    A diary may hold logged nights, and a key is the only way to unblind the diary of its
    plan: re-running ``plan`` with the same ``--out`` replaced both.
    """
    faults = []
    out = Path(args.out) if args.out not in (None, "-") else None
    if out is not None and out.is_file() and out.stat().st_size > 0:
        faults.append(Fault("--out", "", f"{out} exists: a plan writes a new diary, and the "
                            "nights logged in it would be lost; give another --out, or move "
                            "the file away first"))
    if args.blind and (args.key or out is not None) and key_path(args).exists():
        faults.append(Fault("--key", "", f"{key_path(args)} exists: a new key over it would "
                            "leave the diary of its plan impossible to unblind; give another "
                            "--key (or --out), or move the file away first"))
    if faults:
        raise InputError(faults)


def run(args: argparse.Namespace) -> int:
    """Plan, optionally simulate, print, then write every requested file (together)."""
    check_outputs({"--out": args.out, "--ics": args.ics, "--json": args.json,
                   "--key": key_path(args) if args.blind and (args.key or args.out) else None},
                  {"--profile": args.profile})
    check_nothing_lost(args)
    plan = _build(args)
    for note in plan.cautions:
        print(f"mgsleep plan: warning: {note}", file=sys.stderr)
    simulation, simulated = None, None
    if args.simulate:
        from model.trial.preposterior import preposterior

        result = preposterior(plan, n_sims=args.sims, seed=args.seed or 0,
                              progress=ProgressLine("simulating trials", args.sims)
                              if show_progress(sys.stderr) else None)
        simulation, simulated = result.summary(), result.describe()
    said = _said(args)
    if said is not None:
        _show(plan, said, simulated)
    files = [(args.out, plan.to_diary_csv())] if args.out else []
    if plan.blind:
        files.append((key_path(args), plan.key_json()))
    if args.ics:
        files.append((args.ics, plan.to_ics()))
    if args.json:
        files.append((args.json, json_text(_payload(plan, simulation))))
    write_all(files, like=[args.profile], private=[key_path(args)] if plan.blind else ())
    if plan.blind and said is not None:
        diary = args.out if args.out not in (None, "-") else "DIARY.csv"
        print(blind_steps(key_path(args), diary, sorted(plan.codes.values())), file=said)
    return 0


def blind_steps(key: Path, diary: str, codes: list[str]) -> str:
    """What to do with a blinded plan, in order (printed after it is written)."""
    pots = ", ".join(codes)
    return (f"Next: give {key} to someone else, who fills pots {pots} from it (same-looking "
            "capsules) and keeps it (and any --seed) from you; take each night the pot "
            f"{diary} names and log the night keeping its code note; when the plan ends, "
            f"mgsleep unblind {diary} --key {key} --out unblinded.csv, then mgsleep analyze "
            "unblinded.csv.")
