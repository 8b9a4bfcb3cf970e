"""The cooperative ``Popen`` behind ``gevent.subprocess``.

Theory of operation
-------------------
``Popen`` subclasses the standard library's class and lets it do everything
that does not wait: argument checking (so bad input gets the stdlib's errors),
pipe creation, and starting the child with ``_posixsubprocess.fork_exec``.
Three things change:

* **Reaping.** Right after the fork the child is handed to ``gevent.os``,
  which starts a loop ``child`` watcher for it. When SIGCHLD arrives the loop
  reaps the child and calls ``Popen._on_child_exit`` in the hub, which sets
  ``returncode`` and the ``result`` ``AsyncResult``. ``wait`` waits on that
  result, ``poll`` only yields to the loop once, and ``rawlink`` links to it,
  so ``gevent.wait([popen])`` works. Nothing ever calls a blocking
  ``waitpid``. Child watchers need the default loop, so ``Popen`` works only
  in the main thread (elsewhere it raises ``TypeError`` before forking).
* **Pipes.** The stdlib opens its ends of the pipes as blocking ``io``
  objects; they are swapped at once for ``FileObjectPosix`` objects over a
  duplicate of each descriptor, so reading and writing them wait
  cooperatively. Descriptors the caller passes to the child are put back in
  blocking mode first: a child rarely copes with a non-blocking stdin.
* **communicate.** One greenlet writes the input and one reads each output
  pipe in chunks. They outlive a ``TimeoutExpired`` (which carries the output
  read so far, as the stdlib's does), so calling ``communicate`` again carries
  on where the first call stopped. ``__exit__`` kills them before closing the
  pipes, because a greenlet parked in a buffered read holds that buffer's lock.

The one blocking step left is the stdlib's read of its exec-status pipe,
which returns as soon as the child has called ``exec`` (or failed to).
"""

from __future__ import annotations

import errno
import io
import itertools
import os
import subprocess as _std
import sys
import threading
import types
from time import monotonic
from typing import Any

from greenlet import getcurrent

from .. import os as _gos
from .._hub_local import get_hub_if_exists
from .._hub_local import get_hub_noargs as get_hub
from .._sync._event import AsyncResult
from ..greenlet import Greenlet, killall
from ._fileobjectposix import FileObjectPosix

__all__ = ["MAXFD", "_USE_POSIX_SPAWN", "CompletedProcess", "Popen", "_fork_exec",
           "_posixsubprocess", "_set_inheritable", "_use_posix_spawn", "call", "check_call",
           "check_output", "os_close", "run"]


class CompletedProcess(_std.CompletedProcess):  # type: ignore[type-arg]
    """What ``run`` returns: the stdlib's class, subclassed so that patching replaces it.

    ``isinstance`` checks against ``subprocess.CompletedProcess`` from before
    patching still pass.
    """

    __module__ = "gevent.subprocess"


PIPE = _std.PIPE
TimeoutExpired = _std.TimeoutExpired
CalledProcessError = _std.CalledProcessError

try:
    MAXFD: int = os.sysconf("SC_OPEN_MAX")
except (AttributeError, ValueError, OSError):
    MAXFD = 256

os_close = os.close
_set_inheritable = os.set_inheritable

# Captured at import, before monkey patching can replace them.
_native_get_ident = threading.get_ident
_MAIN_NATIVE_IDENT = threading.main_thread().ident

# How long ``poll`` lets the loop run: long enough that the loop really polls
# (and so notices SIGCHLD), short enough that ``poll`` still does not block.
_POLL_YIELD = 0.00001
# Size of each read of an output pipe in ``communicate``.
_CHUNK = 32768


# ----------------------------------------------------- the stdlib's fork hooks

def _use_posix_spawn() -> bool:
    """Whether ``subprocess`` may use ``posix_spawn``: never, under gevent.

    Compatibility: the child must go through ``_fork_exec`` so that it is watched.
    """
    return False


_USE_POSIX_SPAWN = False

try:
    import _posixsubprocess as _real_posixsubprocess
except ImportError:  # pragma: no cover - only platforms without fork
    _real_posixsubprocess = None  # type: ignore[assignment]


def _watch_if_possible(pid: int) -> None:
    # Watch a child of a stdlib Popen only when its waitpid will be gevent's
    # (os patched): a blocking waitpid would reap the child behind the watcher.
    # And children can be watched only on the default loop (the main thread's).
    if os.waitpid is not _gos.waitpid or _native_get_ident() != _MAIN_NATIVE_IDENT:
        return
    loop = get_hub().loop
    if loop is not None and loop.default and pid not in _gos._children:
        _gos._watch_child(pid, None, loop)


if _real_posixsubprocess is not None:
    _raw_fork_exec = _real_posixsubprocess.fork_exec

    def _fork_exec(*args: Any, **kwargs: Any) -> int:
        """``_posixsubprocess.fork_exec``, with the child watched by the loop.

        Patched into ``subprocess`` so that even a stdlib ``Popen`` subclass
        gets children that ``gevent.os.waitpid`` can wait for cooperatively.
        Our ``Popen`` watches its children itself, whatever this does.
        """
        pid: int = _raw_fork_exec(*args, **kwargs)
        _watch_if_possible(pid)
        return pid

    # The module as ``subprocess`` sees it (older 3.11 releases call
    # ``_posixsubprocess.fork_exec`` directly), with the watching fork_exec.
    _posixsubprocess: Any = types.ModuleType("_posixsubprocess")
    _posixsubprocess.__dict__.update(
        {k: v for k, v in vars(_real_posixsubprocess).items() if not k.startswith("__")})
    _posixsubprocess.fork_exec = _fork_exec
else:  # pragma: no cover - only platforms without fork
    _fork_exec = None  # type: ignore[assignment]
    _posixsubprocess = None


def _public(name: str) -> Any:
    # The fd helpers below look names up in the public module, so that code
    # (and gevent's tests) replacing ``gevent.subprocess.os_close`` reaches them.
    module = sys.modules.get("gevent.subprocess")
    return getattr(module, name) if module is not None else globals()[name]


# ------------------------------------------------------------------- Popen


class _PopenLink:
    """Adapts a ``rawlink`` callback on ``Popen.result`` to be called with the Popen."""

    __slots__ = ("callback", "popen")

    def __init__(self, callback: Any, popen: Popen) -> None:
        self.callback = callback
        self.popen = popen

    def __call__(self, _result: Any) -> None:
        self.callback(self.popen)

    def __eq__(self, other: object) -> bool:
        # ``unlink`` makes a fresh link; it must find the one ``rawlink`` made.
        return (isinstance(other, _PopenLink) and other.popen is self.popen
                and other.callback == self.callback)

    def __hash__(self) -> int:
        return id(self.popen)


class Popen(_std.Popen):  # type: ignore[type-arg]
    """``subprocess.Popen`` whose waits, pipes and ``communicate`` are cooperative.

    Takes the stdlib's arguments, plus ``threadpool`` (used by gevent on
    Windows only; accepted and ignored here). ``result`` is an ``AsyncResult``
    set to the return code when the child exits, and ``rawlink`` makes a
    ``Popen`` something ``gevent.wait`` can wait for.
    """

    __module__ = "gevent.subprocess"

    def __init__(self, args: Any, bufsize: Any = -1, executable: Any = None,
                 stdin: Any = None, stdout: Any = None, stderr: Any = None,
                 preexec_fn: Any = None, close_fds: Any = True, shell: Any = False,
                 cwd: Any = None, env: Any = None, universal_newlines: Any = None,
                 startupinfo: Any = None, creationflags: Any = 0,
                 restore_signals: Any = True, start_new_session: Any = False,
                 pass_fds: Any = (), *, threadpool: Any = None, **kwargs: Any) -> None:
        # Set before anything can fail: the stdlib's __del__ looks at them.
        self._child_created = False
        self.returncode: Any = None
        self.result: AsyncResult = AsyncResult()
        self._communicating_greenlets: list[Greenlet] | None = None
        self._outputs: dict[str, list[bytes]] = {}
        self._errors: list[BaseException] = []
        self._text_codec: dict[str, tuple[str, str]] = {}
        self.threadpool = threadpool
        hub = get_hub()
        if hub.loop is None or not hub.loop.default:
            # Checked before forking, so no child is left unwatched.
            raise TypeError("child watchers are only available on the default loop")
        super().__init__(args, bufsize, executable, stdin, stdout, stderr, preexec_fn,
                         close_fds, shell, cwd, env, universal_newlines, startupinfo,
                         creationflags, restore_signals, start_new_session, pass_fds,
                         **kwargs)
        self._make_pipes_green(-1 if bufsize in (None, 1) else bufsize)

    # --------------------------------------------------------- starting

    def _get_handles(self, stdin: Any, stdout: Any, stderr: Any) -> Any:
        handles = super()._get_handles(stdin, stdout, stderr)  # type: ignore[misc]
        # The child's ends: a descriptor the caller passed may be one gevent
        # made non-blocking; the child expects ordinary blocking I/O. (The flag
        # belongs to the open file, so the child would share it.)
        for fd in (handles[0], handles[3], handles[5]):
            if fd != -1:
                try:
                    if not os.get_blocking(fd):
                        os.set_blocking(fd, True)
                except OSError:
                    pass
        return handles

    def _execute_child(self, *args: Any, **kwargs: Any) -> None:
        try:
            super()._execute_child(*args, **kwargs)  # type: ignore[misc]
        except BaseException:
            # The stdlib has reaped a child that failed to exec; forget it.
            if self.pid is not None:
                child = _gos._children.pop(self.pid, None)
                if child is not None:
                    child.watcher.stop()
            raise
        pid = self.pid
        child = _gos._children.get(pid)
        if child is None:
            _gos._watch_child(pid)
            child = _gos._children[pid]
        child.callback = self._on_child_exit
        # A running child keeps the loop alive, so that anything waiting for
        # it (wait(), gevent.wait([popen]), a rawlink) is not a LoopExit.
        child.watcher.ref = True

    def _make_pipes_green(self, bufsize: int) -> None:
        # Replace the stdlib's blocking io objects with gevent file objects over
        # a duplicate of the same pipe (an io.FileIO cannot give its fd away).
        for name, mode in (("stdin", "wb"), ("stdout", "rb"), ("stderr", "rb")):
            old = getattr(self, name)
            if old is None:
                continue
            text = isinstance(old, io.TextIOBase)
            encoding = old.encoding if text else None
            errors = old.errors if text else None
            line_buffering = old.line_buffering if text else False
            fd = os.dup(old.fileno())
            try:
                old.close()
                new = FileObjectPosix(fd, mode, bufsize, atomic_write=bufsize == 0)
            except BaseException:
                os.close(fd)
                raise
            if text:
                new.io = io.TextIOWrapper(new.io, encoding, errors,
                                          line_buffering=line_buffering,
                                          write_through=name == "stdin")
            setattr(self, name, new)

    # --------------------------------------------------------- children

    def _on_child_exit(self, watcher: Any) -> None:
        # In the hub: the loop has reaped the child.
        child = _gos._children.get(self.pid)
        if child is not None and child.done is None:
            # Nobody waits in gevent.os.waitpid: this Popen owns the child.
            del _gos._children[self.pid]
        self._handle_exitstatus(watcher.rstatus)  # type: ignore[attr-defined]
        self.result.set(self.returncode)

    def _reaped_returncode(self) -> Any:
        # ``result`` is set exactly when the loop has reaped the child; prefer it
        # to ``returncode``, which callers may overwrite.
        if self.returncode is None and self.result.ready():
            self.returncode = self.result.value
        return self.returncode

    def _internal_poll(self, _deadstate: Any = None, *args: Any, **kwargs: Any) -> Any:
        # Called by the stdlib (__del__, _cleanup), maybe in the hub: never switch.
        return self._reaped_returncode()

    def poll(self) -> Any:
        """The return code, or None while the child runs; lets the loop run first."""
        if self._reaped_returncode() is None:
            hub = get_hub_if_exists()
            if hub is not None and getcurrent() is not hub:
                from ..hub import sleep

                sleep(_POLL_YIELD)
        return self._reaped_returncode()

    def _wait(self, timeout: Any) -> Any:
        # The stdlib's wait() calls this (and handles KeyboardInterrupt).
        if self._reaped_returncode() is None:
            self.result.wait(timeout=None if timeout is None else max(0.0, timeout))
        if self._reaped_returncode() is None:
            raise TimeoutExpired(self.args, timeout)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        """Send ``sig`` to the child, unless it has already been reaped."""
        # Reaping and setting ``result`` happen in the same hub callback, so
        # while it is unset the pid is still our child (not a reused one).
        if not self.result.ready():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def rawlink(self, callback: Any) -> None:
        """Call ``callback(self)`` from the hub once the child has exited."""
        self.result.rawlink(_PopenLink(callback, self))

    def unlink(self, callback: Any) -> None:
        """Undo ``rawlink(callback)``."""
        self.result.unlink(_PopenLink(callback, self))

    # ------------------------------------------------------ communicate

    def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:
        """Send ``input``, read the output pipes to the end, then wait for the child.

        Cooperative: other greenlets run meanwhile. On timeout raises
        ``TimeoutExpired`` with the output read so far; calling again resumes.
        """
        if self._communication_started and input:
            raise ValueError("Cannot send input after starting communication")
        endtime = None if timeout is None else monotonic() + timeout
        if self._communicating_greenlets is None:
            self._communicating_greenlets = self._start_communicating(input)
        greenlets = self._communicating_greenlets
        if greenlets:
            remaining = None if endtime is None else max(0.0, endtime - monotonic())
            from .._hub_primitives import wait_on_objects

            done = wait_on_objects(greenlets, timeout=remaining)
            if len(done) < len(greenlets):
                raise TimeoutExpired(self.args, timeout or 0.0, output=self._partial("stdout"),
                                     stderr=self._partial("stderr"))
        if self._errors:
            error = self._errors.pop(0)
            raise error
        stdout = self._collected("stdout")
        stderr = self._collected("stderr")
        try:
            self.wait(timeout=None if endtime is None else endtime - monotonic())
        except TimeoutExpired:
            # Report the caller's timeout, not what was left of it, as gevent does.
            raise TimeoutExpired(self.args, timeout or 0.0, output=stdout,
                                 stderr=stderr) from None
        return (stdout, stderr)

    def _start_communicating(self, input: Any) -> list[Greenlet]:
        self._communication_started = True
        greenlets: list[Greenlet] = []
        stdin: Any = self.stdin
        text_mode = self._text_mode
        if stdin is not None:
            try:
                stdin.flush()  # what the caller wrote before goes first
            except BrokenPipeError:
                pass
            if input:
                if text_mode:
                    input = input.encode(stdin.encoding, stdin.errors)
                greenlets.append(Greenlet.spawn(self._write_input, stdin, input))
            else:
                _close_ignoring_pipe_errors(stdin)
        for name in ("stdout", "stderr"):
            pipe = getattr(self, name)
            if pipe is not None:
                chunks: list[bytes] = []
                self._outputs[name] = chunks
                if pipe.closed:
                    # A pipe the caller closed reads as empty (the stdlib raises
                    # ValueError here in text mode; an empty str is kinder).
                    if text_mode:
                        encoding = getattr(self, "encoding", None) or "utf-8"
                        self._text_codec[name] = (encoding, "strict")
                    continue
                if text_mode:
                    self._text_codec[name] = (pipe.encoding, pipe.errors)
                greenlets.append(Greenlet.spawn(self._read_output, pipe, chunks))
        return greenlets

    @property
    def _text_mode(self) -> bool:
        return bool(getattr(self, "text_mode", False))

    def _write_input(self, pipe: Any, data: bytes) -> None:
        try:
            # Through the file object itself (its binary layer in text mode),
            # as the stdlib does, so a replaced ``stdin`` sees the calls.
            target = pipe.buffer if self._text_mode else pipe
            try:
                target.write(data)
            except BrokenPipeError:
                pass  # the child stopped reading; like the stdlib, not an error
            except OSError as exc:
                if exc.errno != errno.EINVAL:  # EINVAL: the child has exited
                    raise
            _close_ignoring_pipe_errors(pipe)
        except Exception as exc:
            self._errors.append(exc)

    def _read_output(self, pipe: Any, chunks: list[bytes]) -> None:
        # Read in chunks rather than with read(), so that a timeout can report
        # what has arrived so far.
        try:
            layer: Any = pipe.io
            if isinstance(layer, io.TextIOWrapper):
                layer = layer.buffer
            read = getattr(layer, "read1", None) or layer.read
            while True:
                data = read(_CHUNK)
                if not data:
                    break
                chunks.append(data)
            pipe.close()
        except Exception as exc:
            self._errors.append(exc)

    def _partial(self, name: str) -> bytes | None:
        chunks = self._outputs.get(name)
        return b"".join(chunks) if chunks else None

    def _collected(self, name: str) -> Any:
        chunks = self._outputs.get(name)
        if chunks is None:
            return None
        data = b"".join(chunks)
        codec = self._text_codec.get(name)
        if codec is not None:
            return self._translate_newlines(data, *codec)  # type: ignore[attr-defined]
        return data

    # ------------------------------------------------------ context manager

    def __exit__(self, exc_type: Any, value: Any, traceback: Any) -> None:
        greenlets = self._communicating_greenlets
        if greenlets:
            # They may be parked inside a buffered pipe, holding its lock.
            killall(greenlets)
        for pipe in (self.stdout, self.stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except RuntimeError:
                    pass  # "reentrant call": another greenlet is reading it
        try:
            if self.stdin is not None:
                self.stdin.close()
        finally:
            if exc_type is KeyboardInterrupt:
                # As the stdlib: give the child a moment to handle it, not forever.
                me: Any = self
                if me._sigint_wait_secs > 0:
                    try:
                        self._wait(timeout=me._sigint_wait_secs)
                    except TimeoutExpired:
                        pass
                me._sigint_wait_secs = 0
            else:
                self.wait()

    # ---------------------------------------------- descriptor closing helpers
    # Our children are started by the stdlib's fork_exec, which closes
    # descriptors itself; these are kept for code written against gevent's Popen.

    @staticmethod
    def _close_fds_brute_force(keep: Any, errpipe_write: Any) -> None:
        """Close every descriptor from 3 up except ``keep`` (made inheritable)."""
        keep = sorted(keep)
        set_inheritable = _public("_set_inheritable")
        close = _public("os_close")
        maxfd = _public("MAXFD")
        if not keep:
            os.closerange(3, maxfd)
            return
        os.closerange(3, keep[0])
        for low, high in itertools.pairwise(keep):
            for fd in range(low + 1, high):
                try:
                    close(fd)
                except OSError:
                    pass
        os.closerange(keep[-1] + 1, maxfd)
        for fd in keep:
            if fd != errpipe_write:
                set_inheritable(fd, True)

    @staticmethod
    def _close_fds_from_path(path: str, keep: Any, errpipe_write: Any) -> None:
        """Close the descriptors listed in ``path`` (3 and up) except ``keep``."""
        try:
            fds = [int(name) for name in os.listdir(path)]
        except (ValueError, OSError):
            _public("Popen")._close_fds_brute_force(keep, errpipe_write)
            return
        set_inheritable = _public("_set_inheritable")
        close = _public("os_close")
        for fd in keep:
            if fd != errpipe_write:
                set_inheritable(fd, True)
        for fd in fds:
            if fd >= 3 and fd not in keep:
                try:
                    close(fd)
                except OSError:
                    pass

    @staticmethod
    def _close_fds(keep: Any, errpipe_write: Any) -> None:
        """Close inherited descriptors, listing them from /proc or /dev when possible."""
        popen = _public("Popen")
        for path in ("/proc/self/fd", "/dev/fd"):
            if os.path.isdir(path):
                popen._close_fds_from_path(path, keep, errpipe_write)
                return
        popen._close_fds_brute_force(keep, errpipe_write)


def _close_ignoring_pipe_errors(pipe: Any) -> None:
    try:
        pipe.close()
    except BrokenPipeError:
        pass
    except OSError as exc:
        # The child may have exited already; the stdlib ignores this too.
        if exc.errno != errno.EINVAL:
            raise


# --------------------------------------------------------- module functions


def call(*popenargs: Any, timeout: float | None = None, **kwargs: Any) -> int:
    """Run a command and return its return code (``subprocess.call``)."""
    with Popen(*popenargs, **kwargs) as p:
        try:
            return p.wait(timeout=timeout)  # type: ignore[no-any-return]
        except BaseException:
            p.kill()  # __exit__ then reaps it
            raise


def check_call(*popenargs: Any, **kwargs: Any) -> int:
    """``call``, raising ``CalledProcessError`` for a non-zero return code."""
    retcode = call(*popenargs, **kwargs)
    if retcode:
        cmd = kwargs.get("args")
        if cmd is None:
            cmd = popenargs[0]
        raise CalledProcessError(retcode, cmd)
    return 0


def check_output(*popenargs: Any, timeout: float | None = None, **kwargs: Any) -> Any:
    """Run a command and return its output; ``CalledProcessError`` if it fails."""
    for forbidden in ("stdout", "check"):
        if forbidden in kwargs:
            raise ValueError(f"{forbidden} argument not allowed, it will be overridden.")
    if "input" in kwargs and kwargs["input"] is None:
        # As the stdlib: an explicit input=None means empty input.
        text = any(kwargs.get(k) for k in ("universal_newlines", "text", "encoding", "errors"))
        kwargs["input"] = "" if text else b""
    return run(*popenargs, stdout=PIPE, timeout=timeout, check=True, **kwargs).stdout


def run(*popenargs: Any, input: Any = None, capture_output: bool = False,
        timeout: float | None = None, check: bool = False, **kwargs: Any) -> Any:
    """Run a command, wait for it, and return a ``CompletedProcess`` (``subprocess.run``)."""
    if input is not None:
        if kwargs.get("stdin") is not None:
            raise ValueError("stdin and input arguments may not both be used.")
        kwargs["stdin"] = PIPE
    if capture_output:
        if kwargs.get("stdout") is not None or kwargs.get("stderr") is not None:
            raise ValueError("stdout and stderr arguments may not be used with capture_output.")
        kwargs["stdout"] = PIPE
        kwargs["stderr"] = PIPE
    with Popen(*popenargs, **kwargs) as process:
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except TimeoutExpired:
            # The exception already carries the output read so far.
            process.kill()
            process.wait()
            raise
        except BaseException:
            process.kill()
            raise
        retcode = process.poll()
        if check and retcode:
            raise CalledProcessError(retcode, process.args, output=stdout, stderr=stderr)
    return CompletedProcess(process.args, retcode, stdout, stderr)
