"""Options shared by several subcommands, spelled without importing the sampling layers.

The parsers are built for ``--help`` and for ``mgsleep priors`` too, which must not import
PyMC: so the names offered by ``--sampler`` and ``--family`` are listed here, and
``tests/test_cli_boundary.py`` checks that they are the keys of
:data:`model.inference.sampling.SAMPLERS` and :data:`model.nof1.engine.FAMILIES`.
"""

from __future__ import annotations

import argparse
import datetime as dt

from model.core.errors import Fault, InputError

SAMPLER_NAMES: tuple[str, ...] = ("nutpie", "pymc", "numpyro", "blackjax")
"""The NUTS samplers ``--sampler`` accepts (the keys of ``SAMPLERS``)."""

FAMILY_NAMES: tuple[str, ...] = ("normal", "poisson", "negbin", "binomial", "ordinal")
"""The outcome families ``mgsleep nof1 --family`` accepts (``FAMILIES``)."""


def parse_date(text: str, option: str) -> dt.date:
    """Parse YYYY-MM-DD or raise an InputError naming the option.

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
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError([Fault(option, "", f"expected a date YYYY-MM-DD, got {text!r}")]) \
            from None


def add_mcmc_arguments(parser: argparse.ArgumentParser, draws: int = 1000) -> None:
    """The MCMC options shared by the commands that fit the personal model.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The subcommand's parser.
    draws : int
        The default of ``--draws``.

    """
    parser.add_argument("--draws", type=int, default=draws, metavar="N",
                        help=f"draws per chain (default {draws})")
    parser.add_argument("--chains", type=int, default=4, metavar="N", help="chains (default 4)")
    parser.add_argument("--seed", type=int, metavar="N", help="random seed (reproducible)")
    parser.add_argument("--sampler", choices=SAMPLER_NAMES,
                        help="NUTS sampler (default: nutpie when installed, else pymc; "
                        "pymc = PyMC's own NUTS, the benchmark baseline)")
