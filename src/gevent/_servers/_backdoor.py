"""``BackdoorServer``: a Python prompt per TCP connection, inside the running process.

Theory of operation
-------------------
Each connection is handled in its own greenlet by a ``code.InteractiveConsole``
whose input and output go through the socket (``_SocketText``). Code typed at
the prompt uses ``print``, ``input``, ``help()`` and the ``quit``/``exit``
builtins, which reach ``sys.stdout``, ``sys.stdin`` and ``sys.stderr``; those
cannot simply be reassigned while a session runs, because the session's code
may block and let other greenlets (and other sessions) print. So while any
session is open, ``sys.stdin``/``stdout``/``stderr`` are ``_Router`` objects
that send each call to the socket of the session whose greenlet is running, and
to the original stream for every other greenlet. The last session to end puts
the originals back (unless someone replaced the routers meanwhile).
"""

from __future__ import annotations

import builtins
import code
import sys
import weakref
from typing import Any

from greenlet import getcurrent

from ._server import StreamServer

__all__ = ["BackdoorServer"]

_STD_NAMES = ("stdin", "stdout", "stderr")

# greenlet -> the session text stream its std streams go to.
_routes: weakref.WeakKeyDictionary[Any, _SocketText] = weakref.WeakKeyDictionary()
_installed: dict[str, _Router] = {}


class _Router:
    """Stands in for one of ``sys.std*``: forwards to the current greenlet's session."""

    def __init__(self, original: Any) -> None:
        self._original = original

    def _target(self) -> Any:
        stream = _routes.get(getcurrent())
        return self._original if stream is None else stream

    def write(self, data: str) -> int:
        return self._target().write(data)  # type: ignore[no-any-return]

    def readline(self, size: int = -1) -> str:
        return self._target().readline(size)  # type: ignore[no-any-return]

    def flush(self) -> None:
        self._target().flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)


def _route(stream: _SocketText) -> None:
    for name in _STD_NAMES:
        current = getattr(sys, name)
        if current is not _installed.get(name):
            # First session, or someone replaced the stream since: wrap what is there.
            router = _installed[name] = _Router(current)
            setattr(sys, name, router)
    _routes[getcurrent()] = stream


def _unroute() -> None:
    _routes.pop(getcurrent(), None)
    if _routes or not _installed:
        return
    for name in _STD_NAMES:
        router = _installed.pop(name, None)
        if router is not None and getattr(sys, name) is router:
            setattr(sys, name, router._original)


class _SocketText:
    """A text stream over a connected socket (UTF-8; lines end in CRLF on the wire)."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._reader = conn.makefile("rb")
        self.closed = False

    def write(self, data: str) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed backdoor session")
        self._conn.sendall(data.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))
        return len(data)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def readline(self, size: int = -1) -> str:
        if self.closed:
            return ""
        return self._reader.readline(size).decode("utf-8", "replace")  # type: ignore[no-any-return]

    def read(self, size: int = -1) -> str:
        return self.readline(size)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._conn.fileno()  # type: ignore[no-any-return]

    def close(self) -> None:
        # quit() and exit() close sys.stdin before raising SystemExit: that
        # ends this session only.
        self.closed = True


class _Console(code.InteractiveConsole):
    def __init__(self, namespace: dict[str, Any], stream: _SocketText) -> None:
        super().__init__(namespace)
        self._stream = stream

    def write(self, data: str) -> None:
        self._stream.write(data)

    def raw_input(self, prompt: str = "") -> str:
        stream = self._stream
        stream.write(prompt)
        line = stream.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")


class BackdoorServer(StreamServer):
    """Serve an interactive Python prompt, running in this process, to each client.

    ``locals`` (copied for each connection, with ``__builtins__`` added) is the
    prompt's namespace; ``banner`` is printed first. Anyone who can connect can
    run any code as this process: bind to localhost or a protected socket.
    """

    def __init__(self, listener: Any, locals: dict[str, Any] | None = None,
                 banner: str | None = None, **server_args: Any) -> None:
        StreamServer.__init__(self, listener, spawn=server_args.pop("spawn", "default"),
                              **server_args)
        self.locals = locals
        self.banner = banner
        self.stderr = sys.stderr

    def _create_interactive_locals(self) -> dict[str, Any]:
        namespace = dict(self.locals) if self.locals else {}
        namespace["__builtins__"] = builtins
        return namespace

    def handle(self, conn: Any, address: Any) -> None:
        """Run one prompt session on ``conn`` until the client quits or disconnects."""
        stream = _SocketText(conn)
        console = _Console(self._create_interactive_locals(), stream)
        banner = self.banner
        if banner is None:
            banner = (f"Python {sys.version} on {sys.platform}\n"
                      "(gevent backdoor: quit() or end of input to leave)")
        _route(stream)
        try:
            console.interact(banner=banner, exitmsg="")
        except SystemExit:
            pass
        except OSError:
            pass  # the client went away
        finally:
            _unroute()
            stream.closed = True
            stream._reader.close()
            conn.close()


def _main(argv: list[str] | None = None) -> None:
    """``python -m gevent.backdoor PORT``: serve a prompt on localhost."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        raise SystemExit("usage: python -m gevent.backdoor PORT")
    server = BackdoorServer(("127.0.0.1", int(args[0])), locals={})
    server.start()
    print(f"Backdoor on 127.0.0.1:{server.server_port}")
    server.serve_forever()
