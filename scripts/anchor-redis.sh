#!/usr/bin/env bash
# Anchors robotbench's numbers to a best-in-class pair, measured side by side in the same run:
# redis-server driven by redis-benchmark (`-t ping_inline`) against robotbench's libuv backend
# driven by robotbench, at 50 connections, at 50 connections with pipeline 16, and at 1
# connection. Prints the medians of --rounds alternating runs and their ratios. Installs
# redis-server and redis-tools from Debian's packages when they are missing.
#
#   scripts/anchor-redis.sh [--rounds N] [--seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ -x build/robotbench ] || { echo "anchor-redis.sh: build/robotbench is missing: run scripts/setup.sh" >&2; exit 2; }
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends redis-server redis-tools
fi
exec /usr/bin/python3 scripts/anchor_redis.py "$@"
