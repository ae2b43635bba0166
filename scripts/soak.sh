#!/usr/bin/env bash
# Soak: churn and steady load on every backend for DURATION (default 10m) in all, checking zero
# errors, exact presence, and the server's descriptors and memory flat from start to end. One line
# per backend; exit status 1 names every backend that failed. Details: scripts/soak.py --help.
#
#   scripts/soak.sh [DURATION] [--backends LIST] [--robotbench PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 scripts/soak.py "$@"
