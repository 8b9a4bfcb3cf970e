"""gevent.config and the GEVENT_* environment variables (spec section 1.34)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gevent._config import Config, validate_bool


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    full_env = dict(os.environ)
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=full_env, timeout=60)


def test_booleans_accept_usual_spellings() -> None:
    for text in ("1", "true", "On", "yes"):
        assert validate_bool(text) is True
    for text in ("0", "false", "off", "No"):
        assert validate_bool(text) is False
    with pytest.raises(ValueError, match="invalid boolean"):
        validate_bool("maybe")


def test_environment_is_read_lazily_and_assignment_overrides(
        monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = Config()
    monkeypatch.setenv("GEVENT_MAX_BLOCKING_TIME", "0.5")
    assert cfg.max_blocking_time == 0.5
    cfg.max_blocking_time = 2
    assert cfg.max_blocking_time == 2.0
    cfg.set("track_greenlet_tree", "off")
    assert cfg.track_greenlet_tree is False
    with pytest.raises(AttributeError, match="no configuration setting"):
        cfg.not_a_setting  # noqa: B018


def test_default_loop_is_the_pure_python_loop() -> None:
    import gevent.core
    from gevent._core import Loop

    assert Config().loop is Loop
    assert gevent.core.loop is Loop


def test_gevent_loop_naming_a_compiled_loop_gives_a_clear_error() -> None:
    proc = run_python("import gevent; gevent.get_hub()", GEVENT_LOOP="libev-cext")
    assert proc.returncode != 0
    assert "no 'libev-cext' loop" in proc.stderr
    assert "GEVENT_LOOP" in proc.stderr


def test_gevent_loop_accepts_python_and_dotted_names() -> None:
    for name in ("python", "gevent._core.Loop"):
        proc = run_python("import gevent; gevent.sleep(0.001); print(type(gevent.get_hub().loop))",
                          GEVENT_LOOP=name)
        assert proc.returncode == 0, proc.stderr
        assert "Loop" in proc.stdout


def test_version_is_the_installed_distribution_version() -> None:
    from importlib.metadata import version

    import gevent

    assert gevent.__version__ == version("gevent")
    assert gevent.version_info[0] >= 1
    assert ".dev" not in gevent.__version__ and "rc" not in gevent.__version__


def test_importable_setting_refuses_paths_and_empty_lists_clearly() -> None:
    from gevent._config import ImportableSetting, Resolver

    setting = ImportableSetting()
    with pytest.raises(ImportError, match="Cannot import from empty list"):
        setting._import_one_of([])
    before = list(sys.path)
    with pytest.raises(ImportError, match=r"Cannot import 'foo/bar\.mod'"):
        setting._import_one("foo/bar.mod")
    assert sys.path == before
    resolver = Resolver()
    resolver.set("block")
    from gevent.resolver.blocking import Resolver as Blocking

    assert resolver.get() is Blocking
    assert "thread" in resolver.get_options()
