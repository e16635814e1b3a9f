"""``python -m influence`` runs the command-line interface."""

import sys

from influence.cli import main

sys.exit(main())
