"""scripts/soak.py: passes a correct server, fails one that leaks, loses presence or answers wrong.

Needs the built executables, given by CTest: ROBOTBENCH_EXE and ROBOTBENCH_FAKE_SERVER_EXE.
"""

import os
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOAK = os.path.join(HERE, "..", "..", "scripts", "soak.py")
ROBOTBENCH = os.environ.get("ROBOTBENCH_EXE", "")
FAKE_SERVER = os.environ.get("ROBOTBENCH_FAKE_SERVER_EXE", "")


def soak(*args):
    return subprocess.run(["/usr/bin/python3", SOAK, "--robotbench", ROBOTBENCH, *args],
                          capture_output=True, text=True, timeout=300)


def soak_fake(mode):
    return soak("6s", "--server", f"{FAKE_SERVER} --mode={mode}")


@unittest.skipUnless(os.access(ROBOTBENCH, os.X_OK) and os.access(FAKE_SERVER, os.X_OK),
                     "needs ROBOTBENCH_EXE and ROBOTBENCH_FAKE_SERVER_EXE (run through ctest)")
class soak_checks(unittest.TestCase):
    def assert_failed_for(self, result, words):
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        last = result.stdout.strip().splitlines()[-1]
        self.assertTrue(last.startswith("soak: FAILED: robotbench-fake-server ("), last)
        self.assertIn(words, last)

    def test_a_correct_server_passes(self):
        result = soak_fake("correct")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        line = [l for l in result.stdout.splitlines() if "robotbench-fake-server" in l][0]
        self.assertRegex(line, r" ok .*0 errors, [1-9]\d* presence checks passed; "
                               r"descriptors (\d+) -> \1; memory ")
        self.assertTrue(result.stdout.rstrip().endswith("soak: every backend passed"))

    def test_a_descriptor_leak_fails_it(self):
        # One descriptor kept per 100 clients closed: a few dozen over the soak's churn.
        self.assert_failed_for(soak_fake("leak-fds"), "descriptors")

    def test_a_memory_leak_fails_it(self):
        # 16 KiB kept per client closed: tens of MiB over the soak's churn.
        self.assert_failed_for(soak_fake("leak-memory"), "memory grew")

    def test_a_wrong_online_count_fails_it(self):
        self.assert_failed_for(soak_fake("low-online"), "presence: /online says 0, not 1")

    def test_wrong_replies_fail_it(self):
        self.assert_failed_for(soak_fake("wrong-reply"), "errors (wrong ")

    def test_bad_usage_is_one_line_and_exit_2(self):
        for args, words in ((["soon"], "bad duration 'soon'"),
                            (["10s"], "too short for"),
                            (["1m", "--backends", "nope"], "(valid: select, "),
                            (["--colour"], "unrecognized arguments: --colour (valid: ")):
            result = soak(*args)
            self.assertEqual(result.returncode, 2, args)
            self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
            self.assertIn(words, result.stderr)


if __name__ == "__main__":
    unittest.main()
