"""``python -m netopt`` runs the command line."""

import sys

from netopt.cli import main

sys.exit(main())
