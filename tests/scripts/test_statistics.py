"""The intervals robotbench reports, checked against scipy: the exact order-statistic interval of
the median (from the binomial distribution) and the percentile bootstrap interval of a ratio of
medians (scipy.stats.bootstrap). robotbench computes both in `robotbench compare --json`."""

import csv
import json
import os
import subprocess
import tempfile
import unittest

import numpy as np
from scipy import stats

# Set by CTest (tests/CMakeLists.txt): the robotbench executable under test.
ROBOTBENCH = os.environ.get("ROBOTBENCH_EXE", "")
COLUMNS = ["backend", "scenario", "status", "connections", "size_bytes", "pipeline", "rate_rps",
           "throughput_rps"]


def write_runs(path, values):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for v in values:
            w.writerow(["thread", "load", "ok", 8, 64, 1, "0.0", f"{v:.1f}"])


def exact_median_interval(values, confidence=0.95):
    """[x(k), x(n+1-k)] with the largest k whose coverage 1 - 2 P(B <= k-1) reaches the
    confidence, B ~ Binomial(n, 1/2); k = 1 when none does."""
    x = np.sort(values)
    n = len(x)
    k = 1
    while k + 1 <= (n + 1) // 2 and 1 - 2 * stats.binom.cdf(k, n, 0.5) >= confidence:
        k += 1
    return x[k - 1], x[n - k], 1 - 2 * stats.binom.cdf(k - 1, n, 0.5)


@unittest.skipUnless(os.access(ROBOTBENCH, os.X_OK), "ROBOTBENCH_EXE is not set")
class intervals(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def compare(self, a, b):
        """The throughput metric of `robotbench compare --json` on one cell of runs a and b."""
        pa, pb = (os.path.join(self.dir.name, n) for n in ("a.csv", "b.csv"))
        write_runs(pa, a)
        write_runs(pb, b)
        out = os.path.join(self.dir.name, "c.json")
        result = subprocess.run([ROBOTBENCH, "compare", pa, pb, "--json", out],
                                capture_output=True, text=True, timeout=120)
        self.assertIn(result.returncode, (0, 1), result.stdout + result.stderr)
        with open(out) as f:
            doc = json.load(f)
        return doc["cells"][0]["metrics"][0]

    def samples(self, n, seed, scale=1.0):
        rng = np.random.default_rng(seed)
        return np.round(rng.lognormal(np.log(100_000 * scale), 0.05, n), 1)

    def test_median_intervals_match_the_binomial_order_statistics(self):
        for n in (1, 2, 3, 4, 5, 6, 7, 10, 15, 20, 31, 60):
            a = self.samples(n, seed=n)
            b = self.samples(n, seed=1000 + n)
            m = self.compare(a, b)
            for side, values in (("a", a), ("b", b)):
                low, high, coverage = exact_median_interval(values)
                with self.subTest(n=n, side=side):
                    self.assertAlmostEqual(m[side]["median"], float(np.median(values)), places=3)
                    self.assertAlmostEqual(m[side]["ci_low"], low, places=3)
                    self.assertAlmostEqual(m[side]["ci_high"], high, places=3)
                    self.assertAlmostEqual(m[side]["ci_confidence"], coverage, places=4)
                    self.assertEqual(m[side]["runs"], n)

    def test_ratio_intervals_match_scipys_percentile_bootstrap(self):
        for n, shift in ((3, 0.7), (5, 1.0), (8, 0.95), (12, 1.1), (30, 1.0)):
            a = self.samples(n, seed=7 * n)
            b = self.samples(n, seed=11 * n, scale=shift)
            m = self.compare(a, b)
            ref = stats.bootstrap((a, b), lambda x, y: np.median(y) / np.median(x),
                                  vectorized=False, paired=False, n_resamples=10_000,
                                  confidence_level=0.95, method="percentile", random_state=n)
            low, high = ref.confidence_interval
            width = high - low
            with self.subTest(n=n, shift=shift):
                self.assertAlmostEqual(m["ratio"], np.median(b) / np.median(a), places=3)
                # Both are Monte Carlo estimates of the same quantiles, from different draws.
                self.assertLess(abs(m["ratio_ci_low"] - low), 0.08 * width + 1e-3)
                self.assertLess(abs(m["ratio_ci_high"] - high), 0.08 * width + 1e-3)
                # Significant when the interval excludes 1 (checked where the two estimates
                # cannot fall on different sides of 1).
                margin = 0.1 * width
                if low - margin > 1 or high + margin < 1:
                    self.assertTrue(m["significant"])
                elif low + margin < 1 < high - margin:
                    self.assertFalse(m["significant"])

    def test_three_against_three_is_significant_exactly_when_the_ranges_do_not_overlap(self):
        rng = np.random.default_rng(3)
        for trial in range(12):
            a = np.round(rng.normal(100_000, 3_000, 3), 1)
            b = np.round(rng.normal(100_000 * rng.choice([0.9, 1.0, 1.1]), 3_000, 3), 1)
            disjoint = a.max() < b.min() or b.max() < a.min()
            with self.subTest(trial=trial):
                self.assertEqual(self.compare(a, b)["significant"], bool(disjoint))


if __name__ == "__main__":
    unittest.main()
