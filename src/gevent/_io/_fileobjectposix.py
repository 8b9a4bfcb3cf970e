"""``FileObjectPosix``: cooperative file objects over non-blocking descriptors.

Theory of operation
-------------------
``GreenFileDescriptorIO`` is a raw ``io`` layer over a descriptor that it puts
in non-blocking mode. Each read or write tries the system call first; when the
kernel answers ``EAGAIN`` the greenlet waits on a loop ``io`` watcher for that
descriptor (Rule 1: through ``Hub.wait``) and tries again. The ordinary
``io.BufferedReader``/``BufferedWriter``/``TextIOWrapper`` stacked on top never
see ``EAGAIN``; they just find a raw layer whose calls take a while, which is
what makes them cooperative without any change.

Regular files never report ``EAGAIN`` (and the loop treats them as always
ready), so they work too, at the speed of plain blocking I/O.

Closing the raw layer while another greenlet waits on it wakes that greenlet
with ``cancel_wait_ex`` (``EBADF``) before the descriptor goes away, the way
closing a gevent socket does. When the file object was made from an already
open object (anything with ``fileno()``), closing it closes that object rather
than the bare descriptor, so the object's own bookkeeping stays right.
"""

from __future__ import annotations

import io
import os
from typing import Any

from .._hub_local import _threadlocal, get_hub_if_exists
from .._hub_local import get_hub_noargs as get_hub
from ..exceptions import ConcurrentObjectUseError
from ..os import make_nonblocking
from ._fileobjectcommon import (
    FileObjectBase,
    OpenDescriptor,
    WriteIsWriteallMixin,
)
from ._socketcommon import cancel_wait_ex

__all__ = ["FileObjectPosix", "GreenFileDescriptorIO", "GreenFileDescriptorIOWriteall",
           "GreenOpenDescriptor"]

_read = os.read
_readv = os.readv
_write = os.write
_close = os.close
_lseek = os.lseek
_NO_NAME: Any = object()
_OPEN_FLAGS = {"r": os.O_RDONLY, "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
               "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
               "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL}


class GreenFileDescriptorIO(io.RawIOBase):
    """A raw I/O object over a descriptor; waiting on it lets other greenlets run.

    ``owner``, if given, is the open object the descriptor came from: it is
    kept alive, and closed instead of the descriptor when ``closefd`` is true.
    """

    def __init__(self, fileno: int, descriptor: OpenDescriptor, closefd: bool = True,
                 name: Any = _NO_NAME, owner: Any = None) -> None:
        super().__init__()
        self._fileno = fileno
        self._closefd = closefd
        self._owner = owner
        # Closed until set up: if a check below fails, finalising the half-made
        # object must not close (someone else's) descriptor.
        self._closed = True
        self._readable = descriptor.can_read
        self._writable = descriptor.can_write
        self._created = descriptor.creating
        self._appending = descriptor.appending
        self._seekable: bool | None = None
        if name is not _NO_NAME:
            self.name = name
        hub = get_hub()
        loop = hub.loop
        # Watchers first: creating one checks the descriptor (EBADF now, not later).
        self._read_watcher: Any = loop.io(fileno, 1) if self._readable else None
        self._write_watcher: Any = loop.io(fileno, 2) if self._writable else None
        if self._read_watcher is None and self._write_watcher is None:
            os.fstat(fileno)
        self.hub: Any = hub
        make_nonblocking(fileno)
        self._closed = False

    # ---------------------------------------------------------- queries

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def closefd(self) -> bool:
        return self._closefd

    @property
    def mode(self) -> str:
        # Spelled the way io.FileIO spells its mode.
        if self._created:
            return "xb+" if self._readable else "xb"
        if self._appending:
            return "ab+" if self._readable else "ab"
        if self._readable:
            return "rb+" if self._writable else "rb"
        return "wb"

    def fileno(self) -> int:
        self._check_open()
        return self._fileno

    def isatty(self) -> bool:
        self._check_open()
        return os.isatty(self._fileno)

    def readable(self) -> bool:
        self._check_open()
        return self._readable

    def writable(self) -> bool:
        self._check_open()
        return self._writable

    def seekable(self) -> bool:
        self._check_open()
        if self._seekable is None:
            try:
                _lseek(self._fileno, 0, os.SEEK_CUR)
            except OSError:
                self._seekable = False
            else:
                self._seekable = True
        return self._seekable

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("I/O operation on closed file")

    # ------------------------------------------------------------ waiting

    def _wait(self, watcher: Any) -> None:
        hub = _threadlocal.hub
        if hub is None:
            hub = get_hub()
        temporary = None
        if hub is not self.hub:
            # Used from another native thread: wait on that thread's loop.
            watcher = temporary = hub.loop.io(self._fileno, watcher.events)
        if watcher.callback is not None:
            raise ConcurrentObjectUseError(
                f"this file is already used by another greenlet: {watcher.callback!r}")
        try:
            hub.wait(watcher)
        finally:
            if temporary is not None:
                temporary.close()
        if self._closed:
            raise cancel_wait_ex()

    # ------------------------------------------------------------ reading

    def readinto(self, buffer: Any) -> int:
        self._check_open()
        if not self._readable:
            raise io.UnsupportedOperation("File not open for reading")
        while True:
            try:
                # A tuple: from the interpreter's free list, unlike a list.
                return _readv(self._fileno, (buffer,))
            except BlockingIOError:
                pass
            self._wait(self._read_watcher)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        self._check_open()
        if not self._readable:
            raise io.UnsupportedOperation("File not open for reading")
        while True:
            try:
                return _read(self._fileno, size)
            except BlockingIOError:
                pass
            self._wait(self._read_watcher)

    def readall(self) -> bytes:
        chunks = []
        size = io.DEFAULT_BUFFER_SIZE
        while True:
            data = self.read(size)
            if not data:
                break
            chunks.append(data)
            if size < 1 << 20:
                size <<= 1
        return b"".join(chunks)

    # ------------------------------------------------------------ writing

    def write(self, data: Any) -> int:
        self._check_open()
        if not self._writable:
            raise io.UnsupportedOperation("File not open for writing")
        while True:
            try:
                return _write(self._fileno, data)
            except BlockingIOError:
                pass
            self._wait(self._write_watcher)

    # ---------------------------------------------------------- positions

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._check_open()
        return _lseek(self._fileno, offset, whence)

    def tell(self) -> int:
        return self.seek(0, os.SEEK_CUR)

    def truncate(self, size: int | None = None) -> int:
        self._check_open()
        if size is None:
            size = self.tell()
        os.ftruncate(self._fileno, size)
        return size

    # ------------------------------------------------------------ closing

    def close(self) -> None:
        if self._closed:
            return
        try:
            super().close()  # flush, and mark the io.IOBase side closed
        finally:
            self._closed = True
            self._release()

    def _release(self) -> None:
        hub = self.hub
        watchers = [w for w in (self._read_watcher, self._write_watcher) if w is not None]
        self._read_watcher = self._write_watcher = None
        in_hub_thread = hub is not None and hub.loop is not None and get_hub_if_exists() is hub
        for w in watchers:
            if hub is None or hub.loop is None:
                w.close()
            elif in_hub_thread:
                hub.cancel_wait(w, cancel_wait_ex, True)
            else:
                hub.loop.run_callback_threadsafe(hub.cancel_wait, w, cancel_wait_ex, True)
        owner = self._owner
        self._owner = None
        if not self._closefd:
            return
        if owner is not None:
            owner.close()
            return
        if in_hub_thread:
            hub.loop.closing_fd(self._fileno)
        _close(self._fileno)

    def _has_waiters(self) -> bool:
        return any(w is not None and w.callback is not None
                   for w in (self._read_watcher, self._write_watcher))

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return (f"<{type(self).__name__} at {id(self):#x} fileno={self._fileno} "
                f"mode={self.mode!r}{state}>")


class GreenFileDescriptorIOWriteall(WriteIsWriteallMixin, GreenFileDescriptorIO):
    """A ``GreenFileDescriptorIO`` whose ``write`` never stops short."""


class GreenOpenDescriptor(OpenDescriptor):
    """An ``OpenDescriptor`` whose raw layer is a ``GreenFileDescriptorIO``."""

    def _do_open_raw(self) -> Any:
        cls: type[GreenFileDescriptorIO] = GreenFileDescriptorIO
        if self.atomic_write and self.buffering == 0:
            cls = GreenFileDescriptorIOWriteall
        fobj = self._fobj
        if self.is_fd():
            return cls(fobj, self, closefd=self.closefd, name=fobj)
        if self.is_path():
            path = os.fspath(fobj)
            flags = _OPEN_FLAGS[self.fileio_mode[0]]
            if self.updating:
                flags = (flags & ~(os.O_RDONLY | os.O_WRONLY)) | os.O_RDWR
            fd = os.open(path, flags | os.O_CLOEXEC, 0o666)
            try:
                if self.appending:
                    try:
                        _lseek(fd, 0, os.SEEK_END)
                    except OSError:
                        pass
                return cls(fd, self, closefd=True, name=path)
            except BaseException:
                _close(fd)
                raise
        fileno = getattr(fobj, "fileno", None)
        if fileno is None:
            raise TypeError(f"FileObjectPosix needs an object with fileno(), not {fobj!r}")
        name = getattr(fobj, "name", _NO_NAME)
        return cls(fileno(), self, closefd=self.closefd, name=name, owner=fobj)

    def _raw_object_is_new(self, raw: Any) -> bool:
        return True


class FileObjectPosix(FileObjectBase):
    """A file object over a descriptor in non-blocking mode, waiting cooperatively.

    Takes the arguments of ``OpenDescriptor``. It suits pipes, sockets and
    terminals; regular files work but never wait. The descriptor is left in
    non-blocking mode, which other processes sharing it will notice.
    ``fileio`` is the raw ``GreenFileDescriptorIO`` under the ``io`` layers.
    """

    default_bufsize = io.DEFAULT_BUFFER_SIZE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        descriptor = GreenOpenDescriptor(*args, **kwargs)
        super().__init__(descriptor)
        self.fileio: Any = descriptor.opened_raw()

    def _do_close(self, fobj: Any, closefd: bool) -> None:
        raw = self.fileio
        if raw._has_waiters():
            # A greenlet is parked inside the buffered layer, which holds that
            # layer's lock: closing it from here would be a "reentrant call".
            # Close the raw layer under it instead; the waiter wakes with EBADF
            # and the buffered layer, finding its raw stream closed, is closed
            # too (unflushed output is lost, as with any close mid-write).
            raw.close()
            return
        try:
            fobj.close()
        finally:
            raw.close()
