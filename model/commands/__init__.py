"""Subcommands of ``mgsleep``; each module registers one with ``add_parser``."""

from types import ModuleType

from model.commands import (
    analyze_cmd,
    demo_cmd,
    nof1_cmd,
    plan_cmd,
    population_cmd,
    priors_cmd,
    simulate_cmd,
)

COMMANDS: tuple[ModuleType, ...] = (demo_cmd, priors_cmd, analyze_cmd, nof1_cmd, simulate_cmd,
                                    plan_cmd, population_cmd)
