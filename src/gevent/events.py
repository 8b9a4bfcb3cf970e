"""Publish/subscribe hooks for notable moments (patching, blocking, memory).

``subscribers`` is a list of callables; ``notify(event)`` calls each with the
event. When zope.event is installed its list is shared, so zope subscribers see
gevent's events too. The interfaces use zope.interface when it is installed
and a small stand-in otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "DoNotPatch",
    "EventLoopBlocked",
    "GeventDidPatchAllEvent",
    "GeventDidPatchBuiltinModulesEvent",
    "GeventDidPatchModuleEvent",
    "GeventPatchEvent",
    "GeventWillPatchAllEvent",
    "GeventWillPatchEvent",
    "GeventWillPatchModuleEvent",
    "IEventLoopBlocked",
    "IGeventDidPatchAllEvent",
    "IGeventDidPatchBuiltinModulesEvent",
    "IGeventDidPatchEvent",
    "IGeventDidPatchModuleEvent",
    "IGeventPatchEvent",
    "IGeventWillPatchAllEvent",
    "IGeventWillPatchEvent",
    "IGeventWillPatchModuleEvent",
    "IMemoryUsageThresholdExceeded",
    "IMemoryUsageUnderThreshold",
    "IPeriodicMonitorThread",
    "IPeriodicMonitorThreadStartedEvent",
    "MemoryUsageThresholdExceeded",
    "MemoryUsageUnderThreshold",
    "PeriodicMonitorThreadStartedEvent",
    "subscribers",
]

try:
    from zope.event import notify, subscribers
except ImportError:
    subscribers: list[Callable[[Any], Any]] = []  # type: ignore[no-redef]

    def notify(event: Any) -> None:  # type: ignore[misc]
        """Call every subscriber with ``event``."""
        for subscriber in list(subscribers):
            subscriber(event)

try:
    from zope.interface import Attribute, Interface, implementer
except ImportError:

    class Interface:  # type: ignore[no-redef]
        """Stand-in used when zope.interface is not installed."""

    def Attribute(desc: str) -> str:  # type: ignore[no-redef]
        return desc

    def implementer(*interfaces: Any) -> Callable[[Any], Any]:  # type: ignore[no-redef]
        def apply(cls: Any) -> Any:
            return cls

        return apply


def notify_and_call_entry_points(event: Any) -> None:
    """``notify(event)``, then call the plugins registered under the event's entry point group."""
    notify(event)
    group = getattr(event, "ENTRY_POINT_NAME", None)
    if not group:
        return
    from importlib.metadata import entry_points

    for ep in entry_points(group=group):
        ep.load()(event)


class IPeriodicMonitorThread(Interface):
    """The monitoring thread of a hub."""


class IPeriodicMonitorThreadStartedEvent(Interface):
    monitor = Attribute("The monitor that started.")


@implementer(IPeriodicMonitorThreadStartedEvent)
class PeriodicMonitorThreadStartedEvent:
    ENTRY_POINT_NAME = "gevent.plugins.hub.periodic_monitor_thread_started"

    def __init__(self, monitor: Any) -> None:
        self.monitor = monitor


class IEventLoopBlocked(Interface):
    greenlet = Attribute("The greenlet that appeared to block the loop.")
    blocking_time = Attribute("Seconds it was blocked for.")
    info = Attribute("Lines of text describing the situation.")


@implementer(IEventLoopBlocked)
class EventLoopBlocked:
    """The loop went longer than ``max_blocking_time`` without switching."""

    def __init__(self, greenlet: Any, blocking_time: float, info: list[str], *,
                 hub: Any = None) -> None:
        self.greenlet = greenlet
        self.blocking_time = blocking_time
        self.info = info
        self.hub = hub


class IMemoryUsageThresholdExceeded(Interface):
    mem_usage = Attribute("Bytes in use.")
    max_allowed = Attribute("The configured limit.")
    memory_info = Attribute("The psutil memory info.")


class _AbstractMemoryEvent:
    def __init__(self, mem_usage: int, max_allowed: int, memory_info: Any) -> None:
        self.mem_usage = mem_usage
        self.max_allowed = max_allowed
        self.memory_info = memory_info

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} used={self.mem_usage} max={self.max_allowed} "
                f"details={self.memory_info}>")


@implementer(IMemoryUsageThresholdExceeded)
class MemoryUsageThresholdExceeded(_AbstractMemoryEvent):
    """Memory use rose above ``max_memory_usage``."""


class IMemoryUsageUnderThreshold(Interface):
    mem_usage = Attribute("Bytes in use.")
    max_allowed = Attribute("The configured limit.")
    max_memory_usage = Attribute("The highest use seen.")
    memory_info = Attribute("The psutil memory info.")


@implementer(IMemoryUsageUnderThreshold)
class MemoryUsageUnderThreshold(_AbstractMemoryEvent):
    """Memory use fell back under ``max_memory_usage``."""

    def __init__(self, mem_usage: int, max_allowed: int, memory_info: Any,
                 max_usage: int) -> None:
        super().__init__(mem_usage, max_allowed, memory_info)
        self.max_memory_usage = max_usage


class IGeventPatchEvent(Interface):
    source = Attribute("The gevent module or object doing the patching.")
    target = Attribute("The module or object being patched.")


@implementer(IGeventPatchEvent)
class GeventPatchEvent:
    def __init__(self, source: Any, target: Any) -> None:
        self.source = source
        self.target = target

    def __repr__(self) -> str:
        return f"<{type(self).__name__} source={self.source!r} target={self.target!r}>"


class IGeventWillPatchEvent(IGeventPatchEvent):
    """About to patch; a subscriber may raise DoNotPatch to veto."""


class DoNotPatch(BaseException):
    """Raised by a subscriber to stop a patch from happening."""


@implementer(IGeventWillPatchEvent)
class GeventWillPatchEvent(GeventPatchEvent):
    pass


class IGeventDidPatchEvent(IGeventPatchEvent):
    """Patching happened."""


@implementer(IGeventDidPatchEvent)
class GeventDidPatchEvent(GeventPatchEvent):
    pass


class IGeventWillPatchModuleEvent(IGeventWillPatchEvent):
    source = Attribute("The gevent module.")
    target = Attribute("The stdlib module.")
    module_name = Attribute("The stdlib module's name.")
    target_item_names = Attribute("The names about to be replaced.")


@implementer(IGeventWillPatchModuleEvent)
class GeventWillPatchModuleEvent(GeventWillPatchEvent):
    ENTRY_POINT_NAME = "gevent.plugins.monkey.will_patch_module"

    def __init__(self, module_name: str, source: Any, target: Any, items: Any) -> None:
        super().__init__(source, target)
        self.module_name = module_name
        self.target_item_names = items


class IGeventDidPatchModuleEvent(IGeventDidPatchEvent):
    module_name = Attribute("The stdlib module's name.")


@implementer(IGeventDidPatchModuleEvent)
class GeventDidPatchModuleEvent(GeventDidPatchEvent):
    ENTRY_POINT_NAME = "gevent.plugins.monkey.did_patch_module"

    def __init__(self, module_name: str, source: Any, target: Any) -> None:
        super().__init__(source, target)
        self.module_name = module_name


class IGeventWillPatchAllEvent(IGeventWillPatchEvent):
    patch_all_arguments = Attribute("The arguments of patch_all.")
    patch_all_kwargs = Attribute("Extra keyword arguments of patch_all.")


class _PatchAllMixin:
    def __init__(self, patch_all_arguments: Any, patch_all_kwargs: Any) -> None:
        super().__init__(None, {})  # type: ignore[call-arg]
        self._patch_all_arguments = patch_all_arguments
        self._patch_all_kwargs = patch_all_kwargs

    @property
    def patch_all_arguments(self) -> Any:
        return self._patch_all_arguments.copy()

    @property
    def patch_all_kwargs(self) -> Any:
        return self._patch_all_kwargs.copy()


@implementer(IGeventWillPatchAllEvent)
class GeventWillPatchAllEvent(_PatchAllMixin, GeventWillPatchEvent):
    ENTRY_POINT_NAME = "gevent.plugins.monkey.will_patch_all"

    def will_patch_module(self, module_name: str) -> bool:
        return bool(self.patch_all_arguments.get(module_name))


class IGeventDidPatchBuiltinModulesEvent(IGeventDidPatchEvent):
    patch_all_arguments = Attribute("The arguments of patch_all.")
    patch_all_kwargs = Attribute("Extra keyword arguments of patch_all.")


@implementer(IGeventDidPatchBuiltinModulesEvent)
class GeventDidPatchBuiltinModulesEvent(_PatchAllMixin, GeventDidPatchEvent):
    ENTRY_POINT_NAME = "gevent.plugins.monkey.did_patch_builtins"


class IGeventDidPatchAllEvent(IGeventDidPatchEvent):
    """patch_all finished."""


@implementer(IGeventDidPatchAllEvent)
class GeventDidPatchAllEvent(_PatchAllMixin, GeventDidPatchEvent):
    ENTRY_POINT_NAME = "gevent.plugins.monkey.did_patch_all"



