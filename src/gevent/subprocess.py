"""Cooperative ``subprocess``: a drop-in for the standard library module.

``Popen`` waits, polls and communicates without blocking other greenlets;
children are reaped by the loop's child watchers (SIGCHLD), so ``Popen`` is
usable only from the main thread. The implementation is in
``gevent._io._subprocess``; this module only names what it provides.
"""

from __future__ import annotations

import subprocess as __subprocess__

from ._io._fileobjectposix import FileObjectPosix as FileObject  # noqa: F401
from ._io._subprocess import (
    _USE_POSIX_SPAWN,
    CompletedProcess,
    Popen,
    _fork_exec,
    _posixsubprocess,
    _use_posix_spawn,
    call,
    check_call,
    check_output,
    run,
)
from ._io._subprocess import (
    MAXFD as MAXFD,
)
from ._io._subprocess import (
    _set_inheritable as _set_inheritable,
)
from ._io._subprocess import (
    os_close as os_close,
)

__implements__ = ["Popen", "call", "check_call", "check_output", "_posixsubprocess", "run",
                  "CompletedProcess", "_use_posix_spawn", "_USE_POSIX_SPAWN", "_fork_exec"]
__imports__ = ["PIPE", "STDOUT", "CalledProcessError", "DEVNULL", "getstatusoutput",
               "getoutput", "SubprocessError", "TimeoutExpired"]
__extra__ = ["list2cmdline"]
__all__ = ["Popen", "call", "check_call", "check_output", "_posixsubprocess", "run",  # noqa: RUF022
           "CompletedProcess", "_use_posix_spawn", "_USE_POSIX_SPAWN", "_fork_exec",
           "PIPE", "STDOUT", "CalledProcessError", "DEVNULL", "getstatusoutput",
           "getoutput", "SubprocessError", "TimeoutExpired"]

PIPE = __subprocess__.PIPE
STDOUT = __subprocess__.STDOUT
DEVNULL = __subprocess__.DEVNULL
CalledProcessError = __subprocess__.CalledProcessError
SubprocessError = __subprocess__.SubprocessError
TimeoutExpired = __subprocess__.TimeoutExpired
# These call ``check_output`` through the stdlib module: green once it is patched.
getoutput = __subprocess__.getoutput
getstatusoutput = __subprocess__.getstatusoutput
list2cmdline = __subprocess__.list2cmdline

mswindows = False

# Named here so that replacing them in this module reaches Popen's fd helpers.
__extensions__ = ["FileObject", "MAXFD", "os_close", "_set_inheritable", "mswindows"]
