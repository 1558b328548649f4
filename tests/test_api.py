"""The public API: one sync and one async twin with the same names and signatures."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import linxo_assoconnect
from linxo_assoconnect import aio
from linxo_assoconnect._api import PUBLIC

ROOT = Path(__file__).resolve().parent.parent
PAGE_OBJECTS = [
    "LinxoLoginPage",
    "LinxoSettings",
    "BankAuthPage",
    "AssoConnectLoginPage",
    "RapprochementPage",
    "Session",
]


def test_every_exported_name_exists_and_nothing_public_is_missing() -> None:
    for module in (linxo_assoconnect, aio):
        assert sorted(module.__all__) == sorted(set(module.__all__))
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    public = {
        name
        for name, value in vars(linxo_assoconnect).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public <= set(linxo_assoconnect.__all__)


def imports_of(module: object) -> dict[str, str]:
    """The names a package's source imports (for type checkers), and from which module."""
    path = Path(str(getattr(module, "__file__", "")))
    found = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level and node.module:
            source = importlib.util.resolve_name(
                "." * node.level + node.module, "linxo_assoconnect"
            )
            found.update({alias.name: source for alias in node.names})
    return found


@pytest.mark.parametrize("api", [0, 1], ids=["sync", "async"])
def test_the_public_names_are_one_table(api: int) -> None:
    """`_api.PUBLIC` lists every public name; each package's imports and `__all__` follow it."""
    module = (linxo_assoconnect, aio)[api]
    assert imports_of(module) == {name: modules[api] for name, modules in PUBLIC.items()}
    assert set(module.__all__) - {"__version__"} == set(PUBLIC)


def test_public_names_show_as_the_package_s() -> None:
    for name, (sync, asynchronous) in PUBLIC.items():
        for module, home in (
            (linxo_assoconnect, "linxo_assoconnect"),
            (aio, "linxo_assoconnect.aio"),
        ):
            value = getattr(module, name)
            if isinstance(value, type) or inspect.isfunction(value):
                assert value.__module__ == (home if sync != asynchronous else "linxo_assoconnect")


def test_sync_and_async_apis_have_the_same_names() -> None:
    assert set(linxo_assoconnect.__all__) - {"__version__"} == set(aio.__all__)


@pytest.mark.parametrize("name", PAGE_OBJECTS)
def test_page_objects_have_the_same_signatures(name: str) -> None:
    sync_cls, async_cls = getattr(linxo_assoconnect, name), getattr(aio, name)
    assert sync_cls is not async_cls
    sync_methods = {m for m in vars(sync_cls) if not m.startswith("_") or m == "__init__"}
    async_methods = {m for m in vars(async_cls) if not m.startswith("_") or m == "__init__"}
    assert sync_methods == async_methods
    for method in sync_methods:
        sync_sig = inspect.signature(getattr(sync_cls, method))
        async_sig = inspect.signature(getattr(async_cls, method))
        assert list(sync_sig.parameters) == list(async_sig.parameters), method
        for param in sync_sig.parameters:
            assert sync_sig.parameters[param].default == async_sig.parameters[param].default
            assert sync_sig.parameters[param].kind == async_sig.parameters[param].kind
        if method != "__init__":
            assert inspect.iscoroutinefunction(getattr(async_cls, method)), method
            assert not inspect.iscoroutinefunction(getattr(sync_cls, method)), method


def test_restore_has_the_same_signature_in_both_apis() -> None:
    assert list(inspect.signature(linxo_assoconnect.restore).parameters) == list(
        inspect.signature(aio.restore).parameters
    )
    assert inspect.iscoroutinefunction(aio.restore)


def test_the_contract_defaults() -> None:
    init = inspect.signature(linxo_assoconnect.LinxoLoginPage.__init__).parameters
    assert init["base_url"].default == "https://wwws.linxo.com"
    assert init["timeout"].default == 30.0
    init = inspect.signature(linxo_assoconnect.AssoConnectLoginPage.__init__).parameters
    assert init["base_url"].default == "https://app.assoconnect.com"
    bank = inspect.signature(linxo_assoconnect.BankAuthPage.__init__).parameters
    assert bank["timeout"].default == 600.0
    policy = linxo_assoconnect.RetryPolicy()
    assert (policy.attempts, policy.initial_wait, policy.max_wait, policy.deadline) == (
        4,
        1.0,
        30.0,
        300.0,
    )


def test_generated_sync_code_is_current() -> None:
    check = subprocess.run(
        [sys.executable, "scripts/generate_sync.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_package_is_typed() -> None:
    assert (Path(linxo_assoconnect.__file__).parent / "py.typed").is_file()


def test_importing_the_package_leaves_playwright_and_pydantic_for_later() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, linxo_assoconnect; "
        "print(sorted({'playwright', 'pydantic'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"  # the command line and early imports start quickly
    assert linxo_assoconnect.Session.__name__ == "Session"  # loaded on first use
