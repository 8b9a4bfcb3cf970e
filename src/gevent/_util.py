"""Internal helpers: lazy attributes, sentinels and module copying."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


class _NONE:
    """A sentinel distinct from None; exactly one instance exists."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<default value>"


_NONE = _NONE()  # type: ignore[assignment,misc]

WRAPPER_ASSIGNMENTS = functools.WRAPPER_ASSIGNMENTS
WRAPPER_UPDATES = functools.WRAPPER_UPDATES
update_wrapper = functools.update_wrapper


def copy_globals(source: Any, globs: dict[str, Any], only_names: Any = None,
                 ignore_missing_names: bool = False, names_to_ignore: Any = (),
                 dunder_names_to_keep: Any = ("__implements__", "__all__", "__imports__"),
                 cleanup_globs: bool = True) -> list[str]:
    """Copy public names of module ``source`` into ``globs``; return the copied names."""
    if only_names:
        if ignore_missing_names:
            items = ((k, getattr(source, k, _NONE)) for k in only_names)
        else:
            items = ((k, getattr(source, k)) for k in only_names)
    else:
        items = iter(source.__dict__.items())
    copied = []
    for key, value in items:
        if value is _NONE or key in names_to_ignore:
            continue
        if key.startswith("__") and key not in dunder_names_to_keep:
            continue
        globs[key] = value
        copied.append(key)
    if cleanup_globs and "copy_globals" in globs:
        del globs["copy_globals"]
    return copied


class Lazy:
    """A non-data descriptor that computes a value once per instance and caches it."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.data = (func, func.__name__)
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __get__(self, inst: Any, class_: Any) -> Any:
        if inst is None:
            return self
        func, name = self.data
        value = func(inst)
        inst.__dict__[name] = value
        return value


class readproperty:
    """Like a property, but an instance attribute of the same name wins."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __get__(self, inst: Any, class_: Any) -> Any:
        if inst is None:
            return self
        return self.func(inst)


class LazyOnClass:
    """Computes a value once per class, on first access, and stores it on the class."""

    @classmethod
    def lazy(cls, cls_dict: dict[str, Any], func: Callable[[Any], Any]) -> None:
        cls_dict[func.__name__] = cls(func)

    def __init__(self, func: Callable[[Any], Any], name: str | None = None) -> None:
        self.name = name or func.__name__
        self.func = func

    def __get__(self, inst: Any, klass: Any) -> Any:
        if inst is None:
            return self
        val = self.func(inst)
        setattr(klass, self.name, val)
        return val


def gmctime() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
