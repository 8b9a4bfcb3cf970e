"""The patching state: which stdlib objects monkey patching replaced, and the originals.

A leaf: it imports nothing from gevent, so the hub, the monitor, the thread pool
and ``gevent.threading`` can ask for an original blocking object without
importing ``gevent.monkey`` (which imports them). ``gevent.monkey`` re-exports
every public name here; ``saved`` is the one dict both see.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["get_original", "is_anything_patched", "is_module_patched", "is_object_patched",
           "patch_item", "remove_item", "saved"]

# module name -> {attribute name: original object}
saved: dict[str, dict[str, Any]] = {}

# Where patch_all remembers its arguments, inside ``saved`` as gevent does.
_PATCH_ALL_KEY = "_gevent_saved_patch_all_module_settings"
_NONE: Any = object()


def is_module_patched(mod_name: str) -> bool:
    """Whether the stdlib module ``mod_name`` has been patched."""
    return mod_name in saved


def is_object_patched(mod_name: str, item_name: str) -> bool:
    """Whether ``mod_name.item_name`` has been replaced."""
    return is_module_patched(mod_name) and item_name in saved[mod_name]


def is_anything_patched() -> bool:
    return any(name != _PATCH_ALL_KEY for name in saved)


def _get_original(name: str, items: Any) -> list[Any]:
    d = saved.get(name, {})
    values = []
    module = None
    for item in items:
        if item in d:
            values.append(d[item])
        else:
            if module is None:
                module = importlib.import_module(name)
            values.append(getattr(module, item))
    return values


def get_original(mod_name: Any, item_name: str | list[str] | tuple[str, ...]) -> Any:
    """The object ``mod_name.item_name`` as it was before any patching.

    ``item_name`` may be a sequence of names, giving a list of objects.
    ``mod_name`` may be a sequence of alternative module names; the first one
    that imports is used.
    """
    if isinstance(mod_name, str):
        mod_names = [mod_name]
    else:
        mod_names = list(mod_name)
    last_error: Exception | None = None
    for name in mod_names:
        try:
            if isinstance(item_name, str):
                return _get_original(name, [item_name])[0]
            return _get_original(name, item_name)
        except ImportError as exc:
            last_error = exc
    raise last_error if last_error is not None else ImportError(mod_name)


def patch_item(module: Any, attr: str, newitem: Any) -> None:
    """Set ``module.attr = newitem``, remembering the first original."""
    olditem = getattr(module, attr, _NONE)
    if olditem is not _NONE:
        saved.setdefault(module.__name__, {}).setdefault(attr, olditem)
    setattr(module, attr, newitem)


def remove_item(module: Any, attr: str) -> None:
    """Delete ``module.attr``, remembering the original."""
    olditem = getattr(module, attr, _NONE)
    if olditem is _NONE:
        return
    saved.setdefault(module.__name__, {}).setdefault(attr, olditem)
    delattr(module, attr)
