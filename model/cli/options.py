"""Options shared by several subcommands, spelled without importing the sampling layers.

The parsers are built for ``--help`` and for ``mgsleep priors`` too, which must not import
PyMC: so the names offered by ``--sampler`` and ``--family`` are listed here, and
``tests/test_cli_boundary.py`` checks that they are the keys of
:data:`model.inference.samplers.SAMPLERS` and :data:`model.nof1.engine.FAMILIES`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable

from model.core.errors import Fault, InputError
from model.data.night_dates import MAX_SPAN_NIGHTS, as_date, date_problem
from model.inference.samplers import CHECKED_CHAINS, MAX_SEED

SAMPLER_NAMES: tuple[str, ...] = ("nutpie", "pymc", "numpyro", "blackjax")
"""The NUTS samplers ``--sampler`` accepts (the keys of ``SAMPLERS``)."""

FAMILY_NAMES: tuple[str, ...] = ("normal", "poisson", "negbin", "binomial", "ordinal")
"""The outcome families ``mgsleep nof1 --family`` accepts (``FAMILIES``)."""


EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
"""The dates an option accepts (a plan or a simulation of ten years still ends before the
limits of dates in pandas, 2262)."""


def as_typed(argument: str) -> str:
    """``argument`` as typed: UTF-8 that a non-UTF-8 locale (``LC_ALL=C``) left undecoded.

    Python decodes the command line by the locale, keeping undecodable bytes as surrogates
    (``süß`` under ``LC_ALL=C``), which no UTF-8 file can hold; bytes that are not UTF-8
    either (a file name in another encoding) are kept as they were.
    """
    try:
        return os.fsencode(argument).decode("utf-8")
    except UnicodeError:   # not UTF-8 bytes, or already text the locale cannot encode
        return argument


def undecoded(values: dict[str, str], options: dict[str, str]) -> list[Fault]:
    """A fault for each value (after :func:`as_typed`) that holds bytes that are not UTF-8.

    ``options`` names each value's option for the message; no UTF-8 file can hold such a
    value, so it is refused rather than written garbled.
    """
    return [Fault(options.get(name, name), "", "is not UTF-8 text (your terminal's "
                  "encoding left a byte undecoded); type it in UTF-8")
            for name, value in values.items()
            if any("\udc80" <= c <= "\udcff" for c in value)]


def parse_date(text: str, option: str) -> dt.date:
    """Parse YYYY-MM-DD from :data:`EARLIEST` to :data:`LATEST`, or raise an InputError.

    The error names the option.

    Parameters
    ----------
    text : str
        The option's value.
    option : str
        The option's name, for the message (``--start``).

    Returns
    -------
    datetime.date

    """
    day = as_date(text)          # as a diary's date: not 20260210 or 2026-W07-2 (an audit)
    if day is None:
        raise InputError([Fault(option, "", date_problem(text))])
    if not EARLIEST <= day <= LATEST:
        raise InputError([Fault(option, "", f"expected a date from {EARLIEST} to {LATEST}, "
                                f"got {text!r}")])
    return day


def add_profile_options(parser: argparse.ArgumentParser) -> None:
    """``--profile`` and ``--allow-unknown``: the person's safety facts and preferences."""
    parser.add_argument("--profile", metavar="PROFILE.toml", help="your profile (safety facts "
                        "and preferences)")
    parser.add_argument("--allow-unknown", action="store_true",
                        help="accept a condition or medicine of the profile that mgsleep's "
                        "safety data does not know (default: an error); the result then "
                        "warns that it was NOT CHECKED")


MAX_NIGHTS = MAX_SPAN_NIGHTS
"""The most nights a diary, a simulation or a plan may have (ten years: the diary's span)."""


def bounded_int(low: int, high: int | None = None, why: str = "") -> Callable[[str], int]:
    """An argparse ``type`` for a whole number in ``[low, high]``, checked before any work.

    Parameters
    ----------
    low, high : int
        The smallest and (optionally) the largest value accepted.
    why : str
        Why the bounds are what they are, said with the error (optional).

    Returns
    -------
    callable
        Parses the text, or raises :class:`argparse.ArgumentTypeError` with what was expected.

    """
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"at least {low}"
            reason = f" ({why})" if why else ""
            raise argparse.ArgumentTypeError(
                f"expected a whole number {span}{reason}, got {value}")
        return value

    parse.__name__ = "whole number"
    return parse


SEED = bounded_int(0, MAX_SEED)
"""``--seed``: 0 to 2**32 - 1."""
CHAINS = bounded_int(CHECKED_CHAINS, 64, "the fit's checks compare chains")
"""``--chains``: 2 to 64. Every fit is judged by rank-normalised split R-hat, which compares
chains; with one chain it is undefined and every fit would fail its checks, after two longer
runs, without advice. A fit from Python (``PersonalModel(chains=1)``) may still run one."""
CHAINS_HELP = "chains, 2 to 64 (default 4; the fit's checks compare chains)"
"""The help of ``--chains``."""


def add_mcmc_arguments(parser: argparse.ArgumentParser, draws: int = 1000) -> None:
    """The MCMC options shared by the commands that fit the personal model.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The subcommand's parser.
    draws : int
        The default of ``--draws``.

    """
    parser.add_argument("--draws", type=bounded_int(10, 100_000), default=draws, metavar="N",
                        help=f"draws per chain, 10 to 100000 (default {draws})")
    parser.add_argument("--chains", type=CHAINS, default=4, metavar="N", help=CHAINS_HELP)
    parser.add_argument("--seed", type=SEED, metavar="N",
                        help="random seed, 0 to 2**32-1, to repeat a fit (default: "
                        "%(default)s; None is a new seed each run)")
    parser.add_argument("--sampler", choices=SAMPLER_NAMES,
                        help="NUTS sampler (default: nutpie when installed, else pymc; "
                        "pymc = PyMC's own NUTS, the benchmark baseline)")
