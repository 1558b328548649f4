from __future__ import annotations

import inspect
import os
from collections.abc import Iterator

import pytest

from helpers import BROWSERS, run_async


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--seeds",
        type=int,
        default=2,
        help="how many random markups the whole restore runs on (tests marked seeds)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "seeds: the whole restore on --seeds random markups")


@pytest.fixture(scope="session", autouse=True)
def _user_folders(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Saved logins and evidence go to the test session's folders, never the user's."""
    os.environ["LINXO_ASSOCONNECT_STATE_DIR"] = str(tmp_path_factory.mktemp("state"))
    os.environ["LINXO_ASSOCONNECT_EVIDENCE_DIR"] = str(tmp_path_factory.mktemp("evidence"))


@pytest.fixture(scope="session", autouse=True)
def _close_browsers() -> Iterator[None]:
    yield
    BROWSERS.close()


@pytest.fixture(params=["a", "b"], ids=["markup-a", "markup-b"])
def variant(request: pytest.FixtureRequest) -> str:
    """Both recorded markups: page objects must not depend on one DOM."""
    value: str = request.param
    return value


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests (tests/_async/) on the tests' event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    run_async(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
