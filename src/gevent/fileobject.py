"""File objects whose blocking reads and writes let other greenlets run.

``FileObject`` is the class ``gevent.config.fileobject`` names (``GEVENT_FILE``):
by default ``FileObjectPosix`` where the platform supports non-blocking
descriptors, else ``FileObjectThread``. All of them take the arguments of
``open()`` (``mode``, ``buffering``, ``encoding``, ``errors``, ``newline``,
``closefd``) and accept a descriptor, a path or an already open file object.

* ``FileObjectPosix`` waits on the event loop (pipes, sockets, terminals).
* ``FileObjectThread`` runs each blocking call in the hub's thread pool.
* ``FileObjectBlock`` just blocks; for testing.

The implementations live in ``gevent._fileobjectcommon`` and
``gevent._fileobjectposix``.
"""

from __future__ import annotations

from typing import Any

from ._config import config
from ._io._fileobjectcommon import FileObjectBlock, FileObjectThread
from ._io._fileobjectposix import FileObjectPosix

__all__ = ["FileObject", "FileObjectBlock", "FileObjectPosix", "FileObjectThread"]

FileObject: Any = config.fileobject
