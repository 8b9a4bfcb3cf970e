"""File objects whose blocking calls let other greenlets run, and what they share.

Theory of operation
-------------------
Every gevent file object is built the way ``io.open`` builds a file: a *raw*
layer that talks to the descriptor, a *buffered* layer on top (unless
``buffering=0``) and, in text mode, a ``TextIOWrapper`` on top of that.
``OpenDescriptor`` checks the ``open()``-style arguments once, up front, so a
bad mode or encoding fails with the same message whichever class is used, and
then stacks the layers. The classes differ only in how the layers block:

* ``FileObjectBlock`` does not try: the layers are plain ``io`` objects and a
  read on an empty pipe blocks the whole thread. It exists for testing and for
  platforms with nothing better.
* ``FileObjectThread`` keeps plain ``io`` layers too, but runs every call that
  may block in the hub's thread pool, one at a time (a gevent ``Semaphore``
  serialises the calls of all greenlets sharing the object).
* ``FileObjectPosix`` (in ``_fileobjectposix``) replaces the raw layer with a
  non-blocking descriptor that waits on loop ``io`` watchers, so the plain
  buffered and text layers above it become cooperative for free.

A file object forwards every attribute it does not define to the top layer
(its ``io``), so ``read1`` exists exactly when ``io.open`` would provide it.
Once closed, that top layer is swapped for a stand-in that raises
``FileObjectClosed`` (an ``OSError`` with ``EBADF``) on any use but still
knows the file's ``name``.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable, Iterator
from errno import EAGAIN, EBADF
from typing import Any, NamedTuple

from .._hub_local import get_hub_noargs as get_hub
from .._sync._semaphore import DummySemaphore, Semaphore

__all__ = ["FileObjectBase", "FileObjectBlock", "FileObjectClosed", "FileObjectThread",
           "OpenDescriptor", "WriteIsWriteallMixin", "WriteallFileIO", "WriteallMixin"]


class FileObjectClosed(OSError):
    """Raised on any use of a gevent file object after ``close()``."""

    def __init__(self) -> None:
        super().__init__(EBADF, "Bad file descriptor (FileObject was closed)")


# ---------------------------------------------------------------- writeall


class WriteallMixin:
    """Adds ``writeall``: keep writing until the whole buffer is out.

    Mixed in front of a raw I/O class whose ``write`` may write only part of
    what it is given (a pipe near full, a signal arriving mid-write).
    """

    def writeall(self, value: Any) -> int:
        view = memoryview(value).cast("B")
        total = len(view)
        done = 0
        write = super().write  # type: ignore[misc]
        while done < total:
            n = write(view[done:])
            if n is None:
                # A raw object in non-blocking mode that cannot wait for us.
                raise BlockingIOError(EAGAIN, "write would block", done)
            done += n
        return total


class WriteIsWriteallMixin(WriteallMixin):
    """Makes ``write`` mean ``writeall`` (for ``atomic_write`` without buffering)."""

    def write(self, value: Any) -> int:
        return self.writeall(value)


class WriteallFileIO(WriteIsWriteallMixin, io.FileIO):  # type: ignore[misc]
    """A ``FileIO`` whose ``write`` never stops short."""


# ----------------------------------------------------------- the arguments


_MODE_LETTERS = frozenset("rwaxbt+U")
_NEWLINES = (None, "", "\n", "\r", "\r\n")


def _merge_alias(name: str, value: Any, old_name: str, old_value: Any, default: Any) -> Any:
    # gevent's older spellings (``bufsize``, ``close``) still work, but not
    # together with the ``open()`` names.
    if old_value is not None:
        if value is not None:
            raise TypeError(f"cannot specify both {name}={value!r} and {old_name}={old_value!r}")
        return old_value
    return default if value is None else value


class _Mode(NamedTuple):
    """What the letters of an ``open()`` mode string ask for."""

    creating: bool
    reading: bool
    writing: bool
    appending: bool
    updating: bool
    text: bool
    binary: bool
    universal: bool


def _parse_mode(mode: str) -> _Mode:
    """Check ``mode`` as ``open()`` does; the errors carry the stdlib's wording."""
    letters = set(mode)
    if letters - _MODE_LETTERS or len(letters) != len(mode):
        raise ValueError(f"invalid mode: {mode!r}")
    creating = "x" in letters
    reading = "r" in letters
    writing = "w" in letters
    appending = "a" in letters
    updating = "+" in letters
    text = "t" in letters
    binary = "b" in letters
    universal = "U" in letters
    if universal:
        if creating or writing or appending or updating:
            raise ValueError(f"invalid mode: {mode!r}: mode U cannot be combined with "
                             "'x', 'w', 'a', or '+'")
        # Universal newlines are what text mode does anyway; 'U' means read.
        reading = True
    if text and binary:
        raise ValueError(f"invalid mode: {mode!r}: can't have text and binary mode at once")
    if creating + reading + writing + appending > 1:
        raise ValueError(f"invalid mode: {mode!r}: "
                         "can't have create/read/write/append mode at once")
    if not (creating or reading or writing or appending):
        raise ValueError(f"invalid mode: {mode!r}: "
                         "must have exactly one of create/read/write/append mode")
    return _Mode(creating, reading, writing, appending, updating, text, binary, universal)


def _check_text_arguments(encoding: Any, errors: Any, newline: Any) -> None:
    if encoding is not None and not isinstance(encoding, str):
        raise TypeError(f"encoding must be a str or None, not {type(encoding).__name__}")
    if errors is not None and not isinstance(errors, str):
        raise TypeError(f"errors must be a str or None, not {type(errors).__name__}")
    if newline is not None and not isinstance(newline, str):
        raise TypeError(f"newline must be a str or None, not {type(newline).__name__}")
    if newline not in _NEWLINES:
        raise ValueError(f"illegal newline value: {newline!r}")


class OpenDescriptor:
    """The checked arguments of an ``open()``-like call, and the object they open.

    ``fobj`` is a file descriptor, a path (``str``, ``bytes`` or path-like), or
    an object that is already open. Nothing is opened until ``opened()`` (or
    ``opened_raw()``) is called.

    Compatibility: gevent's older keywords ``bufsize`` (for ``buffering``)
    and ``close`` (for ``closefd``) are accepted. ``atomic_write=True`` with
    ``buffering=0`` makes ``write`` write everything it is given.
    """

    default_buffer_size = io.DEFAULT_BUFFER_SIZE

    def __init__(self, fobj: Any, mode: Any = "r", bufsize: Any = None, close: Any = None,
                 encoding: Any = None, errors: Any = None, newline: Any = None,
                 buffering: Any = None, closefd: Any = None, atomic_write: bool = False) -> None:
        closefd = _merge_alias("closefd", closefd, "close", close, True)
        buffering = _merge_alias("buffering", buffering, "bufsize", bufsize, -1)

        if not isinstance(mode, str):
            raise TypeError(f"invalid mode: expected a str, not {type(mode).__name__}")
        if not isinstance(buffering, int):
            raise TypeError(f"buffering must be an integer, not {type(buffering).__name__}")
        _check_text_arguments(encoding, errors, newline)
        m = _parse_mode(mode)
        if m.binary:
            for arg_name, value in (("an encoding", encoding), ("an errors", errors),
                                    ("a newline", newline)):
                if value is not None:
                    raise ValueError(f"binary mode doesn't take {arg_name} argument")
            if buffering == 1:
                warnings.warn("line buffering (buffering=1) isn't supported in binary mode, "
                              "the default buffer size will be used", RuntimeWarning,
                              stacklevel=3)
                buffering = -1
        elif buffering == 0:
            raise ValueError("can't have unbuffered text I/O")
        creating, reading, writing, appending = m.creating, m.reading, m.writing, m.appending
        updating, text, binary, universal = m.updating, m.text, m.binary, m.universal

        self._fobj = fobj
        self.mode = mode
        self.fileio_mode = ("x" if creating else "w" if writing else "a" if appending
                            else "r") + ("+" if updating else "")
        self.creating = creating
        self.reading = reading
        self.writing = writing
        self.appending = appending
        self.updating = updating
        self.text = text
        self.binary = binary
        self.native = not text and not binary
        self.universal = universal
        self.can_read = reading or updating
        self.can_write = creating or writing or appending or updating
        self.buffering: int = buffering
        self.encoding: str | None = encoding
        self.errors: str | None = errors
        self.newline: str | None = newline
        self.closefd = bool(closefd)
        self.atomic_write = bool(atomic_write)
        self._opened: Any = None
        self._opened_raw: Any = None

    # ------------------------------------------------------ what fobj is

    @property
    def fobj(self) -> Any:
        return self._fobj

    def is_fd(self) -> bool:
        return isinstance(self._fobj, int)

    def is_path(self) -> bool:
        return isinstance(self._fobj, (str, bytes, os.PathLike))

    def _check_fobj(self) -> None:
        fobj = self._fobj
        if self.is_fd() or self.is_path():
            if self.is_path() and not self.closefd:
                raise ValueError("cannot use closefd=False with a file name")
            return
        if not any(hasattr(fobj, n) for n in ("fileno", "read", "write")):
            raise TypeError("expected a file descriptor, a path or an open file object, "
                            f"not {type(fobj).__name__}")

    # ------------------------------------------------------------ opening

    def opened(self) -> Any:
        """The fully layered object (raw, buffered, text as the mode asks); opened once."""
        if self._opened is None:
            raw = self.opened_raw()
            try:
                self._opened = self._wrapped(raw)
            except BaseException:
                if self._raw_object_is_new(raw):
                    self._opened_raw = None
                    raw.close()
                raise
        return self._opened

    def opened_raw(self) -> Any:
        """The bottom layer alone; opened once."""
        if self._opened_raw is None:
            self._check_fobj()
            self._opened_raw = self._do_open_raw()
        return self._opened_raw

    def _do_open_raw(self) -> Any:
        if self.is_fd() or self.is_path():
            fobj = os.fspath(self._fobj) if self.is_path() else self._fobj
            cls = io.FileIO
            if self.atomic_write and self.buffering == 0:
                cls = WriteallFileIO
            return cls(fobj, self.fileio_mode, closefd=self.closefd)
        # Already open: use it as it is, adding only the layers the mode needs.
        return self._fobj

    def _raw_object_is_new(self, raw: Any) -> bool:
        return raw is not self._fobj

    def buffer_size_for_stream(self, stream: Any) -> int:
        try:
            size = os.fstat(stream.fileno()).st_blksize
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            size = 0
        return size if size > 1 else self.default_buffer_size

    def is_buffered(self, stream: Any) -> bool:
        return isinstance(stream, (io.BufferedIOBase, io.TextIOBase))

    def _wrapped(self, raw: Any) -> Any:
        if isinstance(raw, io.TextIOBase):
            if self.binary:
                raise ValueError(f"cannot do binary I/O on top of the text stream {raw!r}")
            return raw
        if isinstance(raw, io.BufferedIOBase):
            buffered = raw
            line_buffering = self.buffering == 1
        else:
            buffered, line_buffering = self._buffered(raw)
        if self.binary:
            return buffered
        text = io.TextIOWrapper(buffered, self.encoding, self.errors, self.newline,
                                line_buffering)  # type: ignore[type-var]
        try:
            text.mode = self.mode  # type: ignore[misc]
        except AttributeError:
            pass
        return text

    def _buffered(self, raw: Any) -> tuple[Any, bool]:
        buffering = self.buffering
        line_buffering = False
        if buffering == 1 or (buffering < 0 and self._isatty(raw)):
            buffering = -1
            line_buffering = True
        if buffering < 0:
            buffering = self.buffer_size_for_stream(raw)
        if buffering == 0:
            # Checked in __init__: only binary mode gets here.
            return raw, False
        cls: Callable[..., Any]
        if self.updating:
            cls = io.BufferedRandom
        elif self.creating or self.writing or self.appending:
            cls = io.BufferedWriter
        else:
            cls = io.BufferedReader
        return cls(raw, buffering), line_buffering

    @staticmethod
    def _isatty(raw: Any) -> bool:
        try:
            return bool(raw.isatty())
        except (AttributeError, OSError, ValueError):
            return False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} fobj={self._fobj!r} mode={self.mode!r}>"


# ------------------------------------------------------------ file objects


class _ClosedIO:
    """Stands in for the layers of a closed file object; remembers only the name."""

    __slots__ = ("name",)

    def __init__(self, io_obj: Any) -> None:
        try:
            self.name = io_obj.name
        except AttributeError:
            pass

    def __getattr__(self, name: str) -> Any:
        if name == "name":
            raise AttributeError(name)
        raise FileObjectClosed()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "<closed>"


class FileObjectBase:
    """What every gevent file object shares: delegation, closing, iteration.

    Attributes not defined here come from ``io``, the top layer.
    """

    # Looked up on the layers once and stored on the instance, to spare the
    # commonest calls a trip through __getattr__.
    _delegate_methods: tuple[str, ...] = (
        "flush", "fileno", "writable", "readable", "seek", "seekable", "tell", "read",
        "readline", "readlines", "read1", "readinto", "readinto1", "write", "writelines",
        "truncate", "peek",
    )

    def __init__(self, descriptor: OpenDescriptor) -> None:
        self._io: Any = descriptor.opened()
        # Close layers gevent made (they honour closefd themselves); a
        # caller's own object only when closefd says so, else just flush it.
        self._close = descriptor.closefd or descriptor._raw_object_is_new(self._io)
        self._delegated: list[str] = []
        self._do_delegate_methods()

    def _do_delegate_methods(self) -> None:
        for name in self._delegated:
            self.__dict__.pop(name, None)
        self._delegated = []
        cls = type(self)
        for name in self._delegate_methods:
            if getattr(cls, name, None) is None:
                self._delegate(name)

    def _delegate(self, name: str) -> None:
        # Expose the wrapped io object's method ``name`` on this instance.
        method = getattr(self._io, name, None)
        if method is not None:
            self.__dict__[name] = self._wrap_method(method)
            self._delegated.append(name)

    def _wrap_method(self, method: Callable[..., Any]) -> Callable[..., Any]:
        return method

    @property
    def io(self) -> Any:
        """The top ``io`` layer this object reads and writes through."""
        return self._io

    @io.setter
    def io(self, value: Any) -> None:
        self._io = value
        self._do_delegate_methods()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_io", "_delegated"):
            raise AttributeError(name)
        return getattr(self._io, name)

    @property
    def closed(self) -> bool:
        return isinstance(self._io, _ClosedIO)

    def close(self) -> None:
        """Flush and close; closing again does nothing."""
        fobj = self._io
        if isinstance(fobj, _ClosedIO):
            return
        self._io = _ClosedIO(fobj)
        for name in self._delegated:
            self.__dict__.pop(name, None)
        self._delegated = []
        self._do_close(fobj, self._close)

    def _do_close(self, fobj: Any, closefd: bool) -> None:
        if closefd:
            fobj.close()
        else:
            fobj.flush()

    def __enter__(self) -> FileObjectBase:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def __bool__(self) -> bool:
        return not self.closed

    def _extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        if self.closed:
            state = "closed"
        else:
            state = f"io={self._io!r}"
        return f"<{type(self).__name__} at {id(self):#x} {state}{self._extra_repr()}>"


class FileObjectBlock(FileObjectBase):
    """A file object whose calls simply block the thread (for tests and fallbacks).

    Takes the same arguments as ``OpenDescriptor``.
    """

    def __init__(self, fobj: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(OpenDescriptor(fobj, *args, **kwargs))


# The calls that may wait on the OS, and so go to the thread pool.
_THREAD_METHODS = frozenset((
    "flush", "seek", "tell", "read", "readline", "readlines", "read1", "readinto", "readinto1",
    "readall", "write", "writelines", "truncate", "peek",
))


class FileObjectThread(FileObjectBase):
    """A file object that runs each call that may block in the hub's thread pool.

    Takes the same arguments as ``OpenDescriptor`` plus ``threadpool`` (default:
    the current hub's) and ``lock``: True for a new ``Semaphore`` shared by all
    the greenlets using this object, False for none, or a lock object to use.
    """

    def __init__(self, *args: Any, threadpool: Any = None, lock: Any = True,
                 **kwargs: Any) -> None:
        if threadpool is None:
            threadpool = get_hub().threadpool
        self.threadpool = threadpool
        if lock is True:
            lock = Semaphore()
        elif not lock:
            lock = DummySemaphore()
        if not (hasattr(lock, "__enter__") and hasattr(lock, "__exit__")):
            raise TypeError(f"lock must be True, False or a context manager, not {lock!r}")
        self.lock = lock
        descriptor = OpenDescriptor(*args, **kwargs)
        if descriptor.is_path():
            # Opening a path (a FIFO, a slow disk) may block as well.
            self._apply(descriptor.opened)
        super().__init__(descriptor)

    def _apply(self, func: Callable[..., Any], args: Any = (), kwargs: Any = None) -> Any:
        with self.lock:
            return self.threadpool.apply(func, args, kwargs)

    def _do_delegate_methods(self) -> None:
        super()._do_delegate_methods()
        for name in ("readall", "flush"):
            if name not in self._delegated and name not in self.__dict__:
                self._delegate(name)

    def _wrap_method(self, method: Callable[..., Any]) -> Callable[..., Any]:
        if getattr(method, "__name__", None) not in _THREAD_METHODS:
            return method

        def in_thread(*args: Any, **kwargs: Any) -> Any:
            if self.closed:
                raise FileObjectClosed()
            return self._apply(method, args, kwargs)

        in_thread.__name__ = method.__name__
        in_thread.__doc__ = method.__doc__
        return in_thread

    def __getattr__(self, name: str) -> Any:
        value = super().__getattr__(name)
        if name in _THREAD_METHODS and callable(value):
            return self._wrap_method(value)
        return value

    def _do_close(self, fobj: Any, closefd: bool) -> None:
        self._apply(super()._do_close, (fobj, closefd))

    def _extra_repr(self) -> str:
        return f" threadpool={self.threadpool!r}"

