"""``python -m model`` runs the ``mgsleep`` command."""

import sys

from model.cli.main import main

sys.exit(main())
