#!/usr/bin/python3
"""Soak: churn and steady load on every backend, checking that nothing is lost and nothing leaks.

  soak.py [DURATION] [--backends LIST] [--robotbench PATH] [--server CMD]

DURATION (default 10m; a number with s, m or h, bare is seconds) is the load time, split evenly
across the backends. For each backend, soak starts `robotbench serve --backend=NAME --port 0
--quiet` and drives it with `robotbench load --target`:

  1. warm-up, a fifth of the backend's slice (at least 2 s): steady load, then churn. Once its
     clients have left (`/online` says 1: the asker), the baseline is taken: the server's open
     descriptors (/proc/PID/fd of the server and of every process below it) and its resident
     memory (VmRSS, summed over the same processes);
  2. the rest of the slice: rounds of steady load (64 connections) and churn (64 at most, 1,000
     connects/s, 4 requests each). Each run ends with the exact presence check and must end
     with status ok, zero errors, and presence passed;
  3. once the clients have left again: the descriptors must be back to the baseline exactly
     (within 5 s), and resident memory may have grown by at most 10% + 8 MiB over the baseline;
  4. SIGTERM: the server must exit 0 within 5 s.

One line per backend; the last line names every backend that failed and why. Exit status 0 when
every backend passed, 1 when one failed, 2 for bad usage. --server soaks one other server (a
command that prints `listening on HOST:PORT` first, as robotbench serve does) instead of the
backends; soak's own tests use it with a server that leaks.
"""

import argparse
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROBOTBENCH = os.path.join(HERE, "..", "build", "robotbench")

MIN_SLICE_S = 6.0         # the shortest slice that leaves room for a warm-up and one round
MAX_RUN_S = 15.0          # the longest single load run, so a long soak is many checked rounds
RSS_GROWTH_RATIO = 0.10   # memory may grow by this share of the baseline ...
RSS_GROWTH_KIB = 8 * 1024  # ... plus this much (allocator caches, first-touched pages)
SETTLE_S = 5.0            # how long clients may take to leave, and descriptors to close
LOAD_TIMEOUT_S = 120.0    # a load run that takes this much longer than asked has hung
STEADY = ["--scenario", "load", "-c", "64"]
CHURN = ["--scenario", "churn", "-c", "64", "--connect-rate", "1000",
         "--requests-per-connection", "4"]


class usage_error(Exception):
    pass


class soak_failure(Exception):
    """One backend failed; the message says what, in a few words for the summary line."""


def parse_duration(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(s|m|h)?", text)
    if not m:
        raise usage_error(f"bad duration '{text}' (e.g. 90s, 10m, 1h; a bare number is seconds)")
    value = float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
    if value <= 0:
        raise usage_error(f"the duration must be longer than zero, not '{text}'")
    return value


def available_backends(robotbench):
    """The backends `robotbench list` shows as available, in its order."""
    out = subprocess.run([robotbench, "list"], capture_output=True, text=True, timeout=30,
                         check=True).stdout
    return [line.split()[0] for line in out.splitlines()
            if line.strip() and "[not available" not in line]


# --- the server's processes -----------------------------------------------------------------

def process_tree(pid):
    """`pid` and every process below it that is still running (zombies hold no descriptors)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] == "Z":
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def descriptors(pid):
    """Open descriptors of the whole server: the process and every descendant."""
    total = 0
    for p in process_tree(pid):
        try:
            total += len(os.listdir(f"/proc/{p}/fd"))
        except OSError:
            pass  # ended meanwhile
    return total


def rss_kib(pid):
    """Resident memory of the whole server in KiB (VmRSS summed over its processes)."""
    total = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


# --- talking to the server ------------------------------------------------------------------

def ask_online(port):
    """The server's `/online` answer on a fresh connection (which counts itself), or None."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"/online\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = s.recv(256)
                if not chunk:
                    break
                reply += chunk
    except OSError:
        return None
    m = re.fullmatch(rb"online (\d+)\n", reply)
    return int(m.group(1)) if m else None


def wait_until_alone(port):
    """Waits until /online says 1 (only the asker), then for its own connection to close."""
    deadline = time.monotonic() + SETTLE_S
    seen = None
    while time.monotonic() < deadline:
        seen = ask_online(port)
        if seen == 1:
            return
        time.sleep(0.1)
    raise soak_failure(f"presence: /online says {seen}, not 1, {SETTLE_S:g}s after every client "
                       "left")


def steady_descriptors(pid):
    """The descriptor count once it has held still for 0.5 s (the asker's socket closing)."""
    deadline = time.monotonic() + SETTLE_S
    last = descriptors(pid)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = descriptors(pid)
        if now == last:
            time.sleep(0.25)
            if descriptors(pid) == now:
                return now
        last = now
    return last


class server:
    """The server under soak, started from argv; reads its port from its first line."""

    def __init__(self, argv):
        self.errors = tempfile.TemporaryFile(mode="w+")  # its stderr, for the failure message
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.errors, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on [^:\s]+:(\d+)", line)
        if not m:
            self.kill()
            raise soak_failure(f"did not start: {self.last_error() or line.strip() or 'no output'}")
        self.port = int(m.group(1))
        self.pid = self.proc.pid

    def stop(self):
        """SIGTERM; the server must exit 0 within 5 s."""
        if self.proc.poll() is not None:
            raise soak_failure(f"the server died during the soak (status {self.proc.returncode}"
                               f"{': ' + self.last_error() if self.last_error() else ''})")
        self.proc.terminate()
        try:
            status = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise soak_failure("the server did not exit within 5s of SIGTERM")
        if status != 0:
            raise soak_failure(f"the server exited with status {status} on SIGTERM"
                               f"{': ' + self.last_error() if self.last_error() else ''}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def last_error(self):
        """The last line the server wrote to stderr, or ''."""
        self.errors.seek(0)
        lines = self.errors.read().strip().splitlines()
        return lines[-1] if lines else ""


# --- one backend ----------------------------------------------------------------------------

class totals:
    def __init__(self):
        self.runs = 0
        self.requests = 0
        self.connects = 0
        self.presence_checks = 0


def load(robotbench, port, scenario, seconds, checked, tally):
    """One `robotbench load --target` run; when `checked`, it must be clean with presence passed."""
    with tempfile.TemporaryDirectory() as tmp:
        json_path = os.path.join(tmp, "run.json")
        argv = [robotbench, "load", "--target", f"127.0.0.1:{port}", *scenario,
                "-d", f"{seconds:.2f}s", "--warmup", "0", "--no-csv", "--json", json_path]
        if not checked:
            argv.append("--no-presence")
        try:
            result = subprocess.run(argv, capture_output=True, text=True,
                                    timeout=seconds + LOAD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise soak_failure(f"`robotbench load {scenario[1]}` did not end")
        try:
            with open(json_path) as f:
                run = json.load(f)["runs"][0]
        except (OSError, ValueError, KeyError, IndexError):
            tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
            raise soak_failure(f"{scenario[1]} run failed (status {result.returncode}): {tail[0]}")
    what = scenario[1]
    if run.get("errors"):
        kinds = ", ".join(f"{k[len('errors_'):]} {v}" for k, v in run.items()
                          if k.startswith("errors_") and v)
        raise soak_failure(f"{what}: {run['errors']} errors ({kinds or run.get('status')})")
    if checked and run.get("presence") != "passed":
        details = "; ".join(run.get("presence_failure_details") or []) or run.get("presence_note")
        raise soak_failure(f"{what}: presence {run.get('presence')}" +
                           (f" ({details})" if details else ""))
    if result.returncode != 0 or run.get("status") != "ok":
        raise soak_failure(f"{what}: status {run.get('status')} (exit {result.returncode})")
    tally.runs += 1
    tally.requests += run.get("requests") or 0
    tally.connects += run.get("connects") or 0
    tally.presence_checks += run.get("presence_checks") or 0


def soak_one(robotbench, argv, slice_s):
    """Soaks one server for `slice_s` seconds of load; returns its summary, or raises."""
    srv = server(argv)
    try:
        warmup = max(2.0, slice_s / 5)
        load(robotbench, srv.port, STEADY, warmup / 2, False, totals())
        load(robotbench, srv.port, CHURN, warmup / 2, False, totals())
        wait_until_alone(srv.port)
        fds_before = steady_descriptors(srv.pid)
        rss_before = rss_kib(srv.pid)

        tally = totals()
        left = slice_s - warmup
        while left >= 1.0:
            run_s = min(MAX_RUN_S, left / 2)
            for scenario in (STEADY, CHURN):
                if left >= 1.0:
                    load(robotbench, srv.port, scenario, max(run_s, 1.0), True, tally)
                    left -= max(run_s, 1.0)

        wait_until_alone(srv.port)
        deadline = time.monotonic() + SETTLE_S
        fds_after = descriptors(srv.pid)
        while fds_after != fds_before and time.monotonic() < deadline:
            time.sleep(0.1)
            fds_after = descriptors(srv.pid)
        rss_after = rss_kib(srv.pid)
        summary = (f"{tally.runs} runs, {tally.requests:,} requests, {tally.connects:,} connects, "
                   f"0 errors, {tally.presence_checks} presence checks passed; "
                   f"descriptors {fds_before} -> {fds_after}; "
                   f"memory {rss_before / 1024:.1f} -> {rss_after / 1024:.1f} MiB")
        if fds_after != fds_before:
            raise soak_failure(f"descriptors {fds_before} -> {fds_after} after the clients left, "
                               f"not back to {fds_before}; {summary}")
        allowed = rss_before * (1 + RSS_GROWTH_RATIO) + RSS_GROWTH_KIB
        if rss_after > allowed:
            raise soak_failure(f"memory grew {rss_before / 1024:.1f} -> {rss_after / 1024:.1f} MiB "
                               f"(allowed {allowed / 1024:.1f}); {summary}")
        srv.stop()
        return summary
    except soak_failure as e:
        died = srv.proc.poll()
        srv.kill()
        if died is not None and "died" not in str(e):
            why = srv.last_error()
            raise soak_failure(f"the server died (status {died}{': ' + why if why else ''}); {e}")
        raise


def main(argv):
    parser = argparse.ArgumentParser(prog="soak.sh", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)

    def one_line_error(message):
        print(f"soak: {message} (valid: DURATION, --backends, --robotbench, --server; "
              "see --help)", file=sys.stderr)
        sys.exit(2)

    parser.error = one_line_error
    parser.add_argument("duration", nargs="?", default="10m",
                        help="load time over all backends (default 10m; s, m, h)")
    parser.add_argument("--backends", help="comma list of backends (default: every available)")
    parser.add_argument("--robotbench", default=DEFAULT_ROBOTBENCH,
                        help="the robotbench executable (default build/robotbench)")
    parser.add_argument("--server", help="soak this server command instead of the backends")
    args = parser.parse_args(argv)
    try:
        total_s = parse_duration(args.duration)
        if not os.access(args.robotbench, os.X_OK):
            raise usage_error(f"{args.robotbench} is missing: run scripts/setup.sh")
        if args.server and args.backends:
            raise usage_error("--server and --backends exclude each other")
        known = available_backends(args.robotbench)
        if args.server:
            targets = [(shlex.split(args.server)[0].rsplit("/", 1)[-1], shlex.split(args.server))]
        else:
            names = args.backends.split(",") if args.backends else known
            unknown = [n for n in names if n not in known]
            if unknown:
                raise usage_error(f"unknown or unavailable backend '{unknown[0]}' "
                                  f"(valid: {', '.join(known)})")
            targets = [(n, [args.robotbench, "serve", f"--backend={n}", "--port", "0", "--quiet"])
                       for n in names]
        slice_s = total_s / len(targets)
        if slice_s < MIN_SLICE_S:
            raise usage_error(f"{args.duration} is too short for {len(targets)} backends: "
                              f"at least {MIN_SLICE_S:g}s each ({MIN_SLICE_S * len(targets):g}s)")
    except usage_error as e:
        print(f"soak: {e}", file=sys.stderr)
        return 2

    print(f"soak: {len(targets)} server{'s' if len(targets) > 1 else ''}, {slice_s:.1f}s of load "
          "each", flush=True)
    failed = []
    width = max(len(name) for name, _ in targets)
    for name, server_argv in targets:
        started = time.monotonic()
        try:
            summary = soak_one(args.robotbench, server_argv, slice_s)
            print(f"soak: {name:<{width}}  ok      {summary} "
                  f"({time.monotonic() - started:.0f}s)", flush=True)
        except soak_failure as e:
            failed.append((name, str(e).split(";")[0]))
            print(f"soak: {name:<{width}}  FAILED  {e}", flush=True)
    if failed:
        print("soak: FAILED: " + ", ".join(f"{n} ({why})" for n, why in failed))
        return 1
    print(f"soak: every backend passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
