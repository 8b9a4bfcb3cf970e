"""Greenlet-local storage: ``local``, the greenlet counterpart of ``threading.local``.

Theory of operation
-------------------
Every ``local`` owns a ``_Registry`` that maps each greenlet (by id, checked
through a weak reference) to that greenlet's attribute dict. Attribute lookup is
written out in ``__getattribute__``: data descriptors of the class (properties,
``__slots__``) win, then the current greenlet's dict, then other class
attributes, then a subclass ``__getattr__``. So ``__slots__`` are shared by all
greenlets while everything else is per greenlet.

The first time a greenlet touches the object it gets a fresh dict and, for a
subclass with its own ``__init__``, that ``__init__`` runs again with the
constructor's arguments.

A greenlet's dict goes away when the greenlet is garbage collected (a weak
reference callback) and, for a ``gevent.Greenlet``, as soon as it finishes (a
``rawlink``). When the ``local`` itself is collected, those links are removed so
that a long-running greenlet does not accumulate them.
"""

from __future__ import annotations

import weakref
from copy import copy as _copy
from typing import Any, Final

from greenlet import getcurrent

__all__ = ["local"]

_MISSING = object()
# A greenlet's entry in a registry is a tuple ``(greenlet_ref, dict, link)``: a weak
# reference to the greenlet, its attribute dict, and the callback rawlinked to it so
# that the dict goes when the greenlet dies (None for a greenlet without rawlink).
# A tuple, read by index, is the cheapest record to read on every attribute access.
_GREENLET_REF: Final = 0
_DICT: Final = 1
_LINK: Final = 2
_READ_ONLY_DICT = "{!r} object attribute '__dict__' is read-only"
_registries: weakref.WeakSet[_Registry] = weakref.WeakSet()


class _Registry:
    """The per-greenlet dicts of one ``local``; never references the local strongly."""

    __slots__ = ("__weakref__", "args", "dicts", "kwargs", "local_id", "local_type", "owner_ref")

    def __init__(self, owner: local, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.args = args
        self.kwargs = kwargs
        self.local_type = type(owner)
        self.local_id = id(owner)
        # greenlet id -> (greenlet_ref, dict, link), see _GREENLET_REF
        self.dicts: dict[int, tuple[Any, dict[str, Any], Any]] = {}
        self.owner_ref = weakref.ref(owner, _owner_collected(self))

    def create(self, greenlet: Any) -> dict[str, Any]:
        key = id(greenlet)
        me = weakref.ref(self)

        def forget(_ref: Any = None) -> None:
            registry = me()
            if registry is not None:
                registry.dicts.pop(key, None)

        d: dict[str, Any] = {}
        link = None
        rawlink = getattr(greenlet, "rawlink", None)
        if rawlink is not None:
            link = forget
            rawlink(link)
        self.dicts[key] = (weakref.ref(greenlet, forget), d, link)
        return d


def _owner_collected(registry: _Registry) -> Any:
    def on_collect(_ref: Any) -> None:
        for entry in list(registry.dicts.values()):
            greenlet = entry[_GREENLET_REF]()
            link = entry[_LINK]
            if greenlet is not None and link is not None:
                try:
                    greenlet.unlink(link)
                except Exception:
                    pass
        registry.dicts.clear()

    return on_collect


_get_registry = object.__getattribute__


def _current_dict(self: local) -> dict[str, Any]:
    registry: _Registry = _get_registry(self, "_local__impl")
    greenlet = getcurrent()
    entry = registry.dicts.get(id(greenlet))
    if entry is not None and entry[_GREENLET_REF]() is greenlet:
        return entry[_DICT]
    d = registry.create(greenlet)
    cls = type(self)
    if cls.__init__ is not local.__init__:
        cls.__init__(self, *registry.args, **registry.kwargs)
    return d


def _class_attr(cls: type, name: str) -> Any:
    for base in cls.__mro__:
        attr = base.__dict__.get(name, _MISSING)
        if attr is not _MISSING:
            return attr
    return _MISSING


def _is_data_descriptor(attr: Any) -> bool:
    kind = type(attr)
    return hasattr(kind, "__set__") or hasattr(kind, "__delete__")


class local:
    """An object whose attributes are separate for each greenlet."""

    __slots__ = ("__weakref__", "_local__impl")

    def __new__(cls, *args: Any, **kwargs: Any) -> local:
        if (args or kwargs) and cls.__init__ is local.__init__:
            raise TypeError("Initialization arguments are not supported", args, kwargs)
        self = object.__new__(cls)
        registry = _Registry(self, args, kwargs)
        object.__setattr__(self, "_local__impl", registry)
        registry.create(getcurrent())
        _registries.add(registry)
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattribute__(self, name: str) -> Any:
        if name == "_local__impl":
            return _get_registry(self, name)
        if name == "__class__":
            # isinstance() asks for this; it must not give the asking greenlet
            # a dict (and re-run a subclass __init__) as a side effect.
            return type(self)
        d = _current_dict(self)
        if name == "__dict__":
            return d
        cls = type(self)
        attr = _class_attr(cls, name)
        if attr is not _MISSING and _is_data_descriptor(attr):
            return type(attr).__get__(attr, self, cls)
        if name in d:
            return d[name]
        if attr is not _MISSING:
            getter = getattr(type(attr), "__get__", None)
            if getter is not None:
                return getter(attr, self, cls)
            return attr
        getattr_hook = _class_attr(cls, "__getattr__")
        if getattr_hook is not _MISSING:
            return getattr_hook(self, name)
        raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "__dict__":
            raise AttributeError(_READ_ONLY_DICT.format(type(self).__name__))
        d = _current_dict(self)
        attr = _class_attr(type(self), name)
        if attr is not _MISSING and hasattr(type(attr), "__set__"):
            type(attr).__set__(attr, self, value)
            return
        d[name] = value

    def __delattr__(self, name: str) -> None:
        if name == "__dict__":
            raise AttributeError(_READ_ONLY_DICT.format(type(self).__name__))
        d = _current_dict(self)
        attr = _class_attr(type(self), name)
        if attr is not _MISSING and hasattr(type(attr), "__delete__"):
            type(attr).__delete__(attr, self)
            return
        try:
            del d[name]
        except KeyError:
            raise AttributeError(name) from None

    def __copy__(self) -> local:
        registry: _Registry = _get_registry(self, "_local__impl")
        current = _current_dict(self)
        cls = type(self)
        duplicate = cls(*registry.args, **registry.kwargs)
        new_registry: _Registry = _get_registry(duplicate, "_local__impl")
        entry = new_registry.dicts[id(getcurrent())]
        entry[_DICT].clear()
        entry[_DICT].update(_copy(current))
        return duplicate


def all_local_dicts_for_greenlet(greenlet: Any) -> list[tuple[tuple[type, int], dict[str, Any]]]:
    """Every ``local`` attribute dict that ``greenlet`` has, as ``((type, id), dict)`` pairs."""
    out = []
    key = id(greenlet)
    for registry in list(_registries):
        entry = registry.dicts.get(key)
        if entry is not None and entry[_GREENLET_REF]() is greenlet:
            out.append(((registry.local_type, registry.local_id), entry[_DICT]))
    return out
