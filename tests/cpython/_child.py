"""Run one CPython test module under ``gevent.monkey.patch_all()``; the runner's child.

Usage: ``python _child.py MODULE EVENTS_FILE TEST_TIMEOUT RESOURCES [SKIP_FILE]``

SKIP_FILE lists test ids not to run, one a line: after a hang, the runner
starts the module again without the tests that already ran and the hung one.

MODULE is a module of CPython's ``test`` package (``test_socket``), or the path
of a ``.py`` file of tests.

This file is run as a script by whichever interpreter is measured (this project's
or the reference gevent's), so it imports nothing of the project but ``gevent``.
It records one JSON line per test in EVENTS_FILE (``start``, then ``end`` with
the outcome), so the parent learns which test was running if this process hangs
or dies. Each test gets TEST_TIMEOUT seconds: then a native watchdog thread
writes every greenlet's stack and every thread's traceback to stderr and ends the
process with status 124 (faulthandler's own timer is the backstop if the
watchdog cannot get the GIL).
"""

from __future__ import annotations

import _thread
import faulthandler
import json
import os
import signal
import sys
import time

# Captured before patching: the watchdog must stay a native thread with a native lock.
_start_native = _thread.start_new_thread
_native_lock = _thread.allocate_lock
_write = os.write
_getpid = os.getpid
_exit = os._exit
_monotonic = time.monotonic

HANG_STATUS = 124


def main(argv: list[str]) -> int:
    module, events_path, timeout_s, resources, *skip_file = argv
    timeout = float(timeout_s)
    # A runner started in the background of a shell inherits SIGINT ignored, and
    # then Python installs no KeyboardInterrupt handler: the tests expect one.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)

    from gevent import monkey

    monkey.patch_all()

    import unittest

    from test import support

    # Like regrtest: only the resources asked for (no internet by default).
    support.use_resources = [r for r in resources.split(",") if r]
    support.verbose = False

    events = open(events_path, "a", buffering=1)  # noqa: SIM115 -- kept for the run
    me = _getpid()

    def record(**fields: object) -> None:
        if _getpid() == me:  # a forked child running on must not speak for us
            events.write(json.dumps(fields) + "\n")

    watchdog = _Watchdog(timeout)
    name = f"test.{module}"
    if module.endswith(".py"):  # a file of tests (the runner's own self-test)
        sys.path.insert(0, os.path.dirname(os.path.abspath(module)))
        name = os.path.basename(module)[:-3]
    try:
        suite = unittest.defaultTestLoader.loadTestsFromName(name)
    except unittest.SkipTest as exc:
        # The whole module skips itself (e.g. test_epoll once select.epoll is gone).
        record(event="module_skipped", reason=str(exc))
        record(event="done", testsRun=0)
        return 0
    skip: set[str] = set()
    if skip_file:
        with open(skip_file[0]) as f:
            skip = {line.strip() for line in f if line.strip()}
    flat = unittest.TestSuite(t for t in _flatten(suite) if t.id() not in skip)
    record(event="loaded", count=flat.countTestCases(), skipped_ids=len(skip))
    result = _Result(record, watchdog)
    flat.run(result)
    watchdog.stop()
    record(event="done", testsRun=result.testsRun)
    events.close()
    return 0


def _flatten(suite: object) -> list[object]:
    import unittest

    if isinstance(suite, unittest.TestSuite):
        out: list[object] = []
        for item in suite:
            out.extend(_flatten(item))
        return out
    return [suite]


class _Watchdog:
    """A native thread that dumps stacks and exits when one test runs too long."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.deadline = float("inf")
        self.label = ""
        self.stopping = False
        self.done = _native_lock()
        self.done.acquire()
        _start_native(self._run, ())

    def arm(self, label: str) -> None:
        self.label = label
        self.deadline = _monotonic() + self.timeout
        faulthandler.dump_traceback_later(self.timeout + 20, exit=True)

    def disarm(self) -> None:
        self.deadline = float("inf")
        faulthandler.cancel_dump_traceback_later()

    def stop(self) -> None:
        self.disarm()
        self.stopping = True
        self.done.release()

    def _run(self) -> None:
        while not self.done.acquire(timeout=0.5):
            if _monotonic() > self.deadline:
                self._dump()
                _exit(HANG_STATUS)

    def _dump(self) -> None:
        import gc
        import traceback

        out = [f"\n=== HANG: {self.label} ran over {self.timeout:g} s ===\n"]
        try:
            from greenlet import greenlet

            for obj in gc.get_objects():
                if isinstance(obj, greenlet) and not obj.dead and obj.gr_frame is not None:
                    out.append(f"--- greenlet {obj!r}\n")
                    out.extend(traceback.format_stack(obj.gr_frame))
        except Exception as exc:  # the dump must not stop the exit
            out.append(f"(greenlet dump failed: {exc!r})\n")
        _write(2, "".join(out).encode("utf-8", "replace"))
        faulthandler.dump_traceback(all_threads=True)


def _result_base() -> type:
    import unittest

    return unittest.TestResult


class _Result(_result_base()):  # type: ignore[misc]
    """Records each test's start and its single outcome (worst of its subtests)."""

    RANK = {"passed": 0, "skipped": 1, "xfail": 1, "xpass": 2, "failed": 3, "error": 4}

    def __init__(self, record: object, watchdog: _Watchdog) -> None:
        super().__init__()
        self._record = record
        self._watchdog = watchdog
        self._outcome: dict[str, tuple[str, str]] = {}
        self._started: set[str] = set()

    def _set(self, test: object, outcome: str, detail: str = "") -> None:
        tid = test.id()  # type: ignore[attr-defined]
        old = self._outcome.get(tid)
        if old is None or self.RANK[outcome] > self.RANK[old[0]]:
            self._outcome[tid] = (outcome, detail[-3000:])

    def startTest(self, test: object) -> None:
        super().startTest(test)
        tid = test.id()  # type: ignore[attr-defined]
        self._outcome.pop(tid, None)
        self._started.add(tid)
        self._record(event="start", test=tid, t=round(_monotonic(), 3))  # type: ignore[operator]
        self._watchdog.arm(tid)

    def stopTest(self, test: object) -> None:
        self._watchdog.disarm()
        super().stopTest(test)
        tid = test.id()  # type: ignore[attr-defined]
        outcome, detail = self._outcome.get(tid, ("passed", ""))
        self._record(  # type: ignore[operator]
            event="end", test=tid, outcome=outcome, detail=detail, t=round(_monotonic(), 3)
        )

    def addError(self, test: object, err: object) -> None:
        super().addError(test, err)
        self._set_fixture_aware(test, "error", self._exc_info_to_string(err, test))

    def addFailure(self, test: object, err: object) -> None:
        super().addFailure(test, err)
        self._set(test, "failed", self._exc_info_to_string(err, test))

    def addSkip(self, test: object, reason: str) -> None:
        super().addSkip(test, reason)
        self._set_fixture_aware(test, "skipped", reason)

    def addExpectedFailure(self, test: object, err: object) -> None:
        super().addExpectedFailure(test, err)
        self._set(test, "xfail")

    def addUnexpectedSuccess(self, test: object) -> None:
        super().addUnexpectedSuccess(test)
        self._set(test, "xpass")

    def addSubTest(self, test: object, subtest: object, err: object) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            import unittest

            kind = "failed" if issubclass(err[0], test.failureException) else "error"  # type: ignore[index,attr-defined]
            if issubclass(err[0], unittest.SkipTest):  # type: ignore[index]
                return
            self._set(test, kind, self._exc_info_to_string(err, test))

    def _set_fixture_aware(self, test: object, outcome: str, detail: str) -> None:
        # setUpClass/setUpModule problems arrive on a placeholder that never started.
        import unittest.suite

        tid = test.id()  # type: ignore[attr-defined]
        # CPython 3.12.0-3.12.1 report a decorated skip without startTest: a
        # real test still, unlike the placeholder (_ErrorHolder).
        if tid not in self._started and isinstance(test, unittest.suite._ErrorHolder):
            self._record(event="fixture", test=tid, outcome=outcome, detail=detail[-3000:])  # type: ignore[operator]
            return
        self._set(test, outcome, detail)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
