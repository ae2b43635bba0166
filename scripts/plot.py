#!/usr/bin/python3
"""Charts and REPORT.md from robotbench results: see plotting/cli.py, or run with --help."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from plotting.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
