"""Allows ``python -m bx24presence``."""

import sys

from bx24presence.cli import main

sys.exit(main())
