"""Cases for the runner's own test (test_stdlib_quick.py): a pass, a failure, a
skip, and a test that blocks its native thread for good (a real hang)."""

from __future__ import annotations

import os
import unittest


class Cases(unittest.TestCase):
    def test_a_passes(self) -> None:
        self.assertTrue(True)

    def test_b_fails(self) -> None:
        self.assertEqual(1, 2)

    @unittest.skip("skipped on purpose")
    def test_c_skips(self) -> None:
        raise AssertionError("not reached")

    def test_d_hangs(self) -> None:
        r, _w = os.pipe()  # _w stays open: os.read (never patched) blocks for good
        os.read(r, 1)

    def test_e_passes_after_the_hang(self) -> None:
        self.assertTrue(True)
