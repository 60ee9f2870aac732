"""``python -m model`` runs the ``mgsleep`` command."""

import sys

from model.cli import main

sys.exit(main())
