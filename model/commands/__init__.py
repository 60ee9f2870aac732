"""Subcommands of ``mgsleep``; each module registers one with ``add_parser``."""

from types import ModuleType

from model.commands import priors_cmd

COMMANDS: tuple[ModuleType, ...] = (priors_cmd,)
