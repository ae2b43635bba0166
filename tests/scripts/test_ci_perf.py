"""scripts/ci_perf.py: Google Benchmark JSON from a sweep CSV, which `robotbench compare` (and
Google Benchmark's own compare.py) read back cell by cell."""

import csv
import json
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CI_PERF = os.path.join(HERE, "..", "..", "scripts", "ci_perf.py")
GBENCH_COMPARE = "/usr/share/benchmark/compare.py"
# Set by CTest (tests/CMakeLists.txt): the robotbench executable under test.
ROBOTBENCH = os.environ.get("ROBOTBENCH_EXE", "")
COLUMNS = ["timestamp", "git_revision", "backend", "scenario", "connections", "size_bytes",
           "pipeline", "rate_rps", "status", "requests", "throughput_rps", "latency_p99_us",
           "server_cpu_us_per_request"]


def write_sweep(path, throughput_scale=1.0, p99_scale=1.0, only=None):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for backend in ("select", "thread"):
            for conns in (8, 64):
                for repeat in range(3):
                    scaled = only is None or (backend, conns) == only
                    t = 50000 * (1 + repeat / 100) * (throughput_scale if scaled else 1)
                    p = 100 * (1 + repeat / 100) * (p99_scale if scaled else 1)
                    w.writerow(["t", "rev", backend, "load", conns, 64, 1, 0, "ok", int(t), t, p,
                                6.0])


def run(*args):
    return subprocess.run(["/usr/bin/python3", *args], capture_output=True, text=True, timeout=120)


class ci_perf(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def json_for(self, name, **scales):
        csv_path = os.path.join(self.dir.name, name + ".csv")
        json_path = os.path.join(self.dir.name, name + ".json")
        write_sweep(csv_path, **scales)
        result = run(CI_PERF, "to-json", csv_path, json_path)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json_path

    def test_json_is_google_benchmark_format(self):
        with open(self.json_for("base")) as f:
            doc = json.load(f)
        self.assertIn("context", doc)
        names = {b["name"] for b in doc["benchmarks"]}
        self.assertIn("select/c:8/size:64/P:1", names)
        self.assertIn("select/c:8/size:64/P:1_median", names)
        first = doc["benchmarks"][0]
        self.assertEqual(first["time_unit"], "ns")
        self.assertAlmostEqual(first["real_time"], 1e9 / first["throughput_rps"])

    @unittest.skipUnless(os.access(ROBOTBENCH, os.X_OK), "ROBOTBENCH_EXE is not set")
    def test_robotbench_compare_reads_it_against_a_csv(self):
        base = self.json_for("base")
        slow_csv = os.path.join(self.dir.name, "slow.csv")
        write_sweep(slow_csv, throughput_scale=0.6, only=("thread", 64))
        result = subprocess.run([ROBOTBENCH, "compare", base, slow_csv], capture_output=True,
                                text=True, timeout=120)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        regressed = [l for l in result.stdout.splitlines() if "REGRESSION" in l]
        self.assertEqual(len(regressed), 1, result.stdout)
        self.assertTrue(regressed[0].startswith("thread c=64"), regressed[0])
        equal = subprocess.run([ROBOTBENCH, "compare", base, self.json_for("again")],
                               capture_output=True, text=True, timeout=120)
        self.assertEqual(equal.returncode, 0, equal.stdout + equal.stderr)
        self.assertIn("0 regressions and 0 improvements past 10% in 4 cells", equal.stdout)

    @unittest.skipUnless(os.path.exists(GBENCH_COMPARE), "libbenchmark-tools is not installed")
    def test_google_benchmarks_compare_reads_it(self):
        base = self.json_for("base")
        new = self.json_for("slow", throughput_scale=0.5)
        result = run(GBENCH_COMPARE, "benchmarks", base, new)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("thread/c:64/size:64/P:1", result.stdout)


if __name__ == "__main__":
    unittest.main()
