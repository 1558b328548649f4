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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``variant``: both recorded markups, so that page objects depend on no one DOM. The
    generated sync twins (tests/_sync/) run on « a » only: they prove the generation, while
    the markups are proved on the async source (and on many more in test_scenarios.py)."""
    given = {
        name.strip()
        for marker in metafunc.definition.iter_markers("parametrize")
        for name in (
            marker.args[0].split(",") if isinstance(marker.args[0], str) else marker.args[0]
        )
    }
    if "variant" in metafunc.fixturenames and "variant" not in given:
        twin = "_sync" in metafunc.definition.path.parts
        variants = ["a"] if twin else ["a", "b"]
        metafunc.parametrize("variant", variants, ids=[f"markup-{v}" for v in variants])


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests (tests/_async/) on the tests' event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    run_async(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
