"""pytest plugin: the sandbox bound to pytest-playwright's ``context``.

    @pytest.mark.linxo_scenario("broken_connection", variant="b")
    def test_my_tool(linxo_sandbox, page):
        ...  # page browses the sandboxed Linxo, AssoConnect and bank

Installed with linxo-assoconnect (entry point ``pytest11``). Browser discovery for
pytest-playwright: return ``linxo_assoconnect.chromium_launch_options(...)`` from your
``browser_type_launch_args`` fixture to use a system Chromium when Playwright has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

# Loaded by every pytest run where the package is installed: nothing of the sandboxes, pydantic
# or Playwright is imported before a test asks for a fixture.
if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

    from ._sandbox import Sandbox
    from ._scenario import Scenario

__all__ = ["linxo_sandbox", "linxo_scenario"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "linxo_scenario(name=None, **fields): the sandbox scenario of the test "
        "(a name from linxo_assoconnect.testing.SCENARIOS, a Scenario, and field overrides, "
        "e.g. variant='bare' or variant='random:17')",
    )


@pytest.fixture
def linxo_scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario of the test: its ``linxo_scenario`` marker, else a calm day."""
    from ._scenario import SCENARIOS, Scenario

    marker = request.node.get_closest_marker("linxo_scenario")
    if marker is None:
        return Scenario()
    base = marker.args[0] if marker.args else Scenario()
    scenario = SCENARIOS[base] if isinstance(base, str) else base
    if not marker.kwargs:
        return scenario
    # Validated, so that ``variant="nonsense"`` is an error listing the markups accepted.
    return Scenario.model_validate({**scenario.model_dump(), **marker.kwargs})


@pytest.fixture
def linxo_sandbox(context: BrowserContext, linxo_scenario: Scenario) -> Sandbox:
    """The sandbox serving pytest-playwright's ``context`` (and so its ``page``)."""
    from ._sandbox import Sandbox

    sandbox = Sandbox(linxo_scenario)
    sandbox.attach(context)
    return sandbox
