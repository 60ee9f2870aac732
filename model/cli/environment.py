"""The process environment a command needs before PyMC is imported: a writable compile cache.

PyTensor keeps its compile cache in ``~/.pytensor`` (or ``PYTENSOR_FLAGS=base_compiledir=...``)
and cannot even be imported when that folder cannot be created, e.g. with a read-only or
missing home directory. :func:`ensure_compile_cache` then points PyTensor at a folder in the
temporary directory and says so: the command still works, it only compiles again more often.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def ensure_compile_cache(command: str) -> Path | None:
    """Use a temporary compile cache when the default one cannot be written.

    Parameters
    ----------
    command : str
        The subcommand, for the warning (``analyze``).

    Returns
    -------
    Path or None
        The temporary cache folder now in use, or None when nothing was changed (the default
        is writable, or ``PYTENSOR_FLAGS`` already names a ``base_compiledir``).

    """
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if "base_compiledir" in flags or _writable(Path.home() / ".pytensor"):
        return None
    fallback = Path(tempfile.gettempdir()) / f"mgsleep-pytensor-{os.getuid()}"
    fallback.mkdir(mode=0o700, exist_ok=True)
    os.environ["PYTENSOR_FLAGS"] = ",".join(filter(None, [flags,
                                                          f"base_compiledir={fallback}"]))
    print(f"mgsleep {command}: warning: cannot write the compile cache in "
          f"{Path.home() / '.pytensor'}; using {fallback} instead", file=sys.stderr)
    return fallback
