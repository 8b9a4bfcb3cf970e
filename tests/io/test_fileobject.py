"""gevent.fileobject: the three file object classes and OpenDescriptor."""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import wait_all_blocked

import gevent
from gevent import fileobject
from gevent._io._fileobjectcommon import (
    FileObjectClosed,
    OpenDescriptor,
    WriteallMixin,
    WriteIsWriteallMixin,
)
from gevent._io._fileobjectposix import GreenFileDescriptorIO, GreenOpenDescriptor
from gevent.exceptions import ConcurrentObjectUseError

FileObjectPosix = fileobject.FileObjectPosix
FileObjectThread = fileobject.FileObjectThread
FileObjectBlock = fileobject.FileObjectBlock

ALL_CLASSES = [FileObjectPosix, FileObjectThread, FileObjectBlock]
COOPERATIVE = [FileObjectPosix, FileObjectThread]


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    yield r, w
    _close_quietly(r)
    _close_quietly(w)


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.txt"
    path.write_bytes(b"line1\nline2\nline3\n")
    return path


def _writer(fobj: Any, chunks: list[Any]) -> None:
    for chunk in chunks:
        fobj.write(chunk)
        fobj.flush()
    fobj.close()


# ------------------------------------------------------------- the module


def test_module_exports_the_configured_class() -> None:
    assert fileobject.__all__ == ["FileObject", "FileObjectBlock", "FileObjectPosix",
                                  "FileObjectThread"]
    assert fileobject.FileObject is FileObjectPosix


# ------------------------------------------------- behaviour of all three


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_binary_round_trip_through_a_pipe(cls: Any, pipe: tuple[int, int]) -> None:
    r, w = pipe
    with cls(w, "wb") as writer:
        writer.write(b"hello")
    with cls(r, "rb") as reader:
        assert reader.read() == b"hello"


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_text_mode_iterates_lines(cls: Any, data_file: Path) -> None:
    with cls(str(data_file)) as f:
        assert f.readline() == "line1\n"
        assert list(f) == ["line2\n", "line3\n"]


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_path_like_and_bytes_paths_open(cls: Any, data_file: Path) -> None:
    with cls(data_file, "rb") as f:
        assert f.read(5) == b"line1"
    with cls(os.fsencode(data_file), "rb") as f:
        assert f.read(5) == b"line1"


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_write_then_seek_and_read_back_a_regular_file(cls: Any, tmp_path: Path) -> None:
    path = tmp_path / "rw.bin"
    with cls(path, "w+b") as f:
        f.write(b"0123456789")
        f.flush()
        assert f.seekable()
        f.seek(4)
        assert f.tell() == 4
        assert f.read(3) == b"456"
    assert path.read_bytes() == b"0123456789"


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_append_mode_adds_at_the_end(cls: Any, data_file: Path) -> None:
    with cls(data_file, "a") as f:
        f.write("line4\n")
    assert data_file.read_text().endswith("line3\nline4\n")


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_read1_only_in_binary_mode(cls: Any, pipe: tuple[int, int]) -> None:
    r, _ = pipe
    binary = cls(r, "rb", closefd=False)
    text = cls(r, "r", closefd=False)
    assert hasattr(binary, "read1")
    assert not hasattr(text, "read1")
    binary.close()
    text.close()


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_use_after_close_raises_ebadf_but_name_survives(cls: Any, pipe: tuple[int, int]) -> None:
    r, _ = pipe
    f = cls(r, "rb")
    assert f and not f.closed
    f.close()
    f.close()  # closing twice is harmless
    assert not f and f.closed
    assert f.name == r
    with pytest.raises(FileObjectClosed) as info:
        f.read()
    assert info.value.errno == errno.EBADF
    assert "closed" in repr(f)
    with pytest.raises(OSError):
        os.close(r)  # the file object closed it


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_closefd_false_leaves_the_descriptor_open(cls: Any, pipe: tuple[int, int]) -> None:
    r, w = pipe
    cls(w, "wb", closefd=False).close()
    cls(w, "wb", close=False).close()  # gevent's older spelling
    os.write(w, b"still open")
    assert os.read(r, 100) == b"still open"


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_mode_and_name_match_io_open(cls: Any, pipe: tuple[int, int], data_file: Path) -> None:
    r, w = pipe
    assert cls(w, "wb", closefd=False).mode == "wb"
    assert cls(r, "rb", closefd=False).mode == "rb"
    assert cls(r, "r", closefd=False).mode == "r"
    with cls(str(data_file)) as f:
        assert f.name == str(data_file)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_unbuffered_binary_reads_what_is_there(cls: Any, pipe: tuple[int, int]) -> None:
    r, w = pipe
    reader = cls(r, "rb", buffering=0)
    writer = cls(w, "wb", bufsize=0)
    writer.write(b"a")
    assert reader.read(1) == b"a"
    writer.writelines([b"2"])
    assert reader.read(1) == b"2"
    reader.close()
    writer.close()


@pytest.mark.parametrize("cls", [FileObjectThread, FileObjectBlock])
def test_wraps_an_already_open_object(cls: Any) -> None:
    stream = io.BytesIO(b"abc\ndef\n")
    f = cls(stream, "rb")
    assert f.io is stream
    assert list(f) == [b"abc\n", b"def\n"]
    text = cls(io.BytesIO(b"x\ny\n"), "r")
    assert isinstance(text.io, io.TextIOWrapper)
    assert text.readlines() == ["x\n", "y\n"]


def test_binary_mode_over_a_text_stream_is_refused(data_file: Path) -> None:
    with open(data_file) as native, pytest.raises(ValueError, match="binary I/O on top"):
        FileObjectBlock(native, "rb")


def test_posix_closes_the_object_it_was_given(data_file: Path) -> None:
    with open(data_file) as native:
        f = FileObjectPosix(native)
        assert f.name == str(data_file)
        assert f.readline() == "line1\n"
        f.close()
        assert native.closed


# -------------------------------------------------------------- cooperation


@pytest.mark.parametrize("cls", COOPERATIVE)
def test_reading_an_empty_pipe_lets_the_writer_run(cls: Any, pipe: tuple[int, int]) -> None:
    r, w = pipe
    reader = cls(r, "rb")
    writer = gevent.spawn(_writer, cls(w, "wb"), [b"hel", b"lo"])
    buf = bytearray(32)
    n = reader.readinto(buf)
    assert bytes(buf[:n]) == b"hello"
    assert reader.readinto(buf) == 0
    writer.get(timeout=5)
    reader.close()


@pytest.mark.parametrize("cls", COOPERATIVE)
def test_text_lines_arrive_from_another_greenlet(cls: Any, pipe: tuple[int, int]) -> None:
    r, w = pipe
    gevent.spawn(_writer, cls(w, "w"), ["one\n", "two\n", "three"])
    with cls(r) as reader:
        assert list(reader) == ["one\n", "two\n", "three"]


def test_posix_large_write_interleaves_with_the_reader(pipe: tuple[int, int]) -> None:
    r, w = pipe
    data = bytes(range(256)) * 4096  # 1 MiB: far more than a pipe holds
    writer = gevent.spawn(_writer, FileObjectPosix(w, "wb"), [data])
    with FileObjectPosix(r, "rb") as reader:
        assert reader.read() == data
    writer.get(timeout=5)


def test_posix_close_wakes_a_waiting_reader(pipe: tuple[int, int]) -> None:
    r, _ = pipe
    f = FileObjectPosix(r, "rb")

    def read() -> Any:
        try:
            return f.read(10)
        except OSError as exc:
            return exc

    g = gevent.spawn(read)
    wait_all_blocked()
    f.close()
    result = g.get(timeout=5)
    assert isinstance(result, OSError)
    assert result.errno == errno.EBADF
    with pytest.raises(OSError):
        os.close(r)


def test_posix_second_reader_is_refused(pipe: tuple[int, int]) -> None:
    r, w = pipe
    f = FileObjectPosix(r, "rb", buffering=0)
    first = gevent.spawn(f.read, 1)
    wait_all_blocked()
    with pytest.raises(ConcurrentObjectUseError, match="another greenlet"):
        f.read(1)
    os.write(w, b"!")
    assert first.get(timeout=5) == b"!"
    f.close()


def test_posix_puts_the_descriptor_in_non_blocking_mode(pipe: tuple[int, int]) -> None:
    r, _ = pipe
    assert os.get_blocking(r)
    f = FileObjectPosix(r, "rb", closefd=False)
    assert not os.get_blocking(r)
    assert isinstance(f.fileio, GreenFileDescriptorIO)
    assert f.fileio.mode == "rb"
    assert repr(f.fileio).startswith("<GreenFileDescriptorIO")
    f.close()


def test_posix_seek_on_a_pipe_fails_like_lseek(pipe: tuple[int, int]) -> None:
    r, _ = pipe
    with pytest.raises(OSError) as native:
        os.lseek(r, 0, os.SEEK_SET)
    f = FileObjectPosix(r, "r", closefd=False)
    with pytest.raises(OSError) as green:
        f.fileio.seek(0)
    assert green.value.args == native.value.args
    assert not f.fileio.seekable()
    f.close()


def test_posix_wrong_direction_is_unsupported(pipe: tuple[int, int]) -> None:
    r, w = pipe
    reader = FileObjectPosix(r, "rb", buffering=0)
    writer = FileObjectPosix(w, "wb", buffering=0)
    with pytest.raises(io.UnsupportedOperation):
        reader.write(b"x")
    with pytest.raises(io.UnsupportedOperation):
        writer.read(1)
    reader.close()
    writer.close()


def test_posix_bad_descriptor_fails_at_once() -> None:
    gevent.get_hub()  # its wake-up pipe must not reuse the numbers closed below
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    with pytest.raises(OSError) as info:
        FileObjectPosix(r, "rb")
    assert info.value.errno == errno.EBADF


def test_posix_object_without_fileno_is_refused() -> None:
    class ReadOnly:
        def read(self, n: int = -1) -> bytes:
            return b""

    with pytest.raises(TypeError, match="fileno"):
        FileObjectPosix(ReadOnly(), "rb")
    with pytest.raises(TypeError, match="not memoryview"):
        FileObjectPosix(memoryview(b"x"), "rb")


# ------------------------------------------------------------- the thread one


class _RecordingPool:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def apply(self, func: Callable[..., Any], args: Any = (), kwargs: Any = None) -> Any:
        self.calls.append(getattr(func, "__name__", repr(func)))
        return func(*args, **(kwargs or {}))


def test_thread_runs_blocking_calls_in_the_given_pool(pipe: tuple[int, int]) -> None:
    r, w = pipe
    pool = _RecordingPool()
    f = FileObjectThread(w, "wb", threadpool=pool, lock=False)
    f.write(b"abc")
    f.flush()
    assert f.fileno() == w  # cheap calls stay in the caller's thread
    f.close()
    assert pool.calls == ["write", "flush", "_do_close"]
    assert os.read(r, 10) == b"abc"


def test_thread_rejects_a_lock_that_is_not_a_context_manager(pipe: tuple[int, int]) -> None:
    with pytest.raises(TypeError, match="lock"):
        FileObjectThread(pipe[0], "rb", lock=42)


def test_thread_uses_the_hub_pool_by_default(pipe: tuple[int, int]) -> None:
    f = FileObjectThread(pipe[0], "rb", closefd=False)
    assert f.threadpool is gevent.get_hub().threadpool
    f.close()


# ----------------------------------------------------------- OpenDescriptor


@pytest.mark.parametrize(("kwargs", "exc", "pattern"), [
    ({"mode": 42}, TypeError, "mode"),
    ({"buffering": "nope"}, TypeError, "buffering"),
    ({"encoding": 42}, TypeError, "encoding"),
    ({"errors": 42}, TypeError, "errors"),
    ({"newline": 42}, TypeError, "newline"),
    ({"newline": "x"}, ValueError, "newline"),
    ({"mode": "aoeug"}, ValueError, "invalid mode"),
    ({"mode": "rr"}, ValueError, "invalid mode"),
    ({"mode": "wU"}, ValueError, "mode U cannot be combined"),
    ({"mode": "rtb"}, ValueError, "text and binary"),
    ({"mode": "rw"}, ValueError, "append mode at once"),
    ({"mode": "+"}, ValueError, "exactly one"),
    ({"mode": "rb", "encoding": "ascii"}, ValueError, "take an encoding"),
    ({"mode": "rb", "errors": "strict"}, ValueError, "take an errors"),
    ({"mode": "rb", "newline": "\n"}, ValueError, "take a newline"),
    ({"mode": "r", "buffering": 0}, ValueError, "unbuffered text"),
    ({"buffering": 0, "bufsize": 0}, TypeError, "both"),
    ({"closefd": False, "close": False}, TypeError, "both"),
])
@pytest.mark.parametrize("cls", [OpenDescriptor, GreenOpenDescriptor])
def test_bad_arguments_say_what_is_wrong(cls: Any, kwargs: dict[str, Any], exc: type,
                                         pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        cls(1, **kwargs)


def test_bad_fobj_is_named_when_opened() -> None:
    with pytest.raises(TypeError, match="not float"):
        OpenDescriptor(3.5).opened()


def test_closefd_false_with_a_path_is_refused(data_file: Path) -> None:
    with pytest.raises(ValueError, match="closefd=False"):
        FileObjectBlock(str(data_file), closefd=False)


def test_descriptor_records_the_parsed_mode() -> None:
    d = OpenDescriptor(1, "r+b")
    assert (d.reading, d.updating, d.binary, d.can_read, d.can_write) == (
        True, True, True, True, True)
    assert d.fileio_mode == "r+"
    assert not d.is_path() and d.is_fd()


def test_line_buffering_in_binary_mode_warns_and_uses_the_default() -> None:
    with pytest.warns(RuntimeWarning, match="line buffering"):
        d = OpenDescriptor(1, "wb", buffering=1)
    assert d.buffering == -1


@pytest.mark.parametrize("cls", [OpenDescriptor, GreenOpenDescriptor])
def test_atomic_write_without_buffering_writes_everything(cls: Any,
                                                          pipe: tuple[int, int]) -> None:
    r, w = pipe
    desc = cls(w, "wb", buffering=0, closefd=False, atomic_write=True)
    assert desc.atomic_write
    assert isinstance(desc.opened(), WriteallMixin)
    raw = desc.opened()
    assert raw.write(b"xyz") == 3
    raw.close()
    assert os.read(r, 10) == b"xyz"


def test_writeall_loops_over_short_writes() -> None:
    class Trickle:
        def __init__(self) -> None:
            self.out = bytearray()

        def write(self, data: Any) -> int:
            self.out += bytes(data[:2])
            return min(2, len(data))

    class AllOfIt(WriteIsWriteallMixin, Trickle):
        pass

    sink = AllOfIt()
    assert sink.write(b"abcdefg") == 7
    assert bytes(sink.out) == b"abcdefg"


def test_writeall_refuses_to_spin_on_a_non_blocking_raw() -> None:
    class WouldBlock:
        def write(self, data: Any) -> None:
            return None

    class AllOfIt(WriteIsWriteallMixin, WouldBlock):  # type: ignore[misc]
        pass

    with pytest.raises(BlockingIOError):
        AllOfIt().write(b"abc")


def test_half_made_raw_object_counts_as_closed() -> None:
    # Regression: a raw object whose construction failed counted as open, so
    # finalising it ran close() on a half-made object (on 3.13: "Exception
    # ignored in GreenFileDescriptorIO"), aimed at a descriptor number that may
    # belong to another file by then.
    from gevent._io._fileobjectposix import GreenFileDescriptorIO

    gevent.get_hub()
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    with pytest.raises(OSError) as info:
        FileObjectPosix(r, "rb")
    half_made = [frame.frame.f_locals.get("self") for frame in info.traceback]
    raw = [obj for obj in half_made if isinstance(obj, GreenFileDescriptorIO)]
    assert len(raw) == 1
    assert raw[0].closed
