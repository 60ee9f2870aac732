"""Layer 9, the `mgsleep` command line: thin commands and one boundary for user errors."""

from model.cli.main import main

__all__ = ["main"]
