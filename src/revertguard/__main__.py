"""`python -m revertguard` runs the command-line interface."""

import sys

from revertguard.cli import main

sys.exit(main())
