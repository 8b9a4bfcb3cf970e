"""Monkey patching: make the standard library cooperative.

Only the bookkeeping exists so far (``get_original``, ``is_anything_patched``,
``is_module_patched``, ``saved``); the patch functions arrive with the green
socket, select and thread modules.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

__all__ = ["get_original", "is_anything_patched", "is_module_patched", "is_object_patched",
           "patch_all"]

# module name -> {attribute name: original object}
saved: dict[str, dict[str, Any]] = {}


def is_module_patched(mod_name: str) -> bool:
    return mod_name in saved


def is_object_patched(mod_name: str, item_name: str) -> bool:
    return is_module_patched(mod_name) and item_name in saved[mod_name]


def is_anything_patched() -> bool:
    return bool(saved)


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


def get_original(mod_name: str, item_name: str | list[str] | tuple[str, ...]) -> Any:
    """The object ``mod_name.item_name`` as it was before any patching.

    ``item_name`` may be a list of names, giving a list of objects.
    """
    if isinstance(item_name, str):
        return _get_original(mod_name, [item_name])[0]
    return _get_original(mod_name, item_name)


def patch_all(*args: Any, **kwargs: Any) -> bool:
    raise NotImplementedError(
        "gevent.monkey.patch_all is not available in this build yet: the green socket, "
        "select and threading modules it installs are still being written"
    )


_ = sys
