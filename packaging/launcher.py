"""The bundle's entry point: the GUI command (which also runs --once and --self-test)."""

import sys

from bx24presence.cli import main_gui

if __name__ == "__main__":
    sys.exit(main_gui())
