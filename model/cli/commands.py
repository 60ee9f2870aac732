"""Subcommands of ``mgsleep``; each module registers one with ``add_parser``."""

from types import ModuleType

from model.cli import (
    analyze,
    demo,
    importer,
    log,
    nof1,
    plan,
    population,
    priors,
    simulate,
    unblind,
)

COMMANDS: tuple[ModuleType, ...] = (demo, priors, analyze, nof1, simulate, plan, population,
                 importer, log, unblind)
