"""Subcommands of ``mgsleep``; each module registers one with ``add_parser``."""

from types import ModuleType

from model.commands import analyze_cmd, nof1_cmd, priors_cmd, simulate_cmd

COMMANDS: tuple[ModuleType, ...] = (priors_cmd, analyze_cmd, nof1_cmd, simulate_cmd)
