"""Where the default evidence base lives, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # model/


def default_priors_dir() -> Path:
    """Return the bundled ``priors/`` directory.

    An installed wheel carries it as ``model/_default_priors``; a source checkout (or an
    editable install) uses the top-level ``priors/`` next to the package.
    """
    for candidate in (_PACKAGE / "_default_priors", _PACKAGE.parent / "priors"):
        if (candidate / "settings.toml").is_file():
            return candidate
    raise FileNotFoundError(
        "the default priors/ directory was not found next to the package; reinstall mgsleep"
    )
