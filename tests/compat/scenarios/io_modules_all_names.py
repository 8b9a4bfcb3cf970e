"""The public names of the I/O, thread and patching modules."""
import importlib

for name in ("exceptions", "events", "socket", "select", "selectors", "monkey", "threadpool",
             "thread", "threading", "os", "signal", "fileobject", "time", "core",
             "contextvars"):
    module = importlib.import_module("gevent." + name)
    print(name, sorted(getattr(module, "__all__", [])))
