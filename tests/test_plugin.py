"""The pytest plugin (entry point ``linxo_assoconnect``), as a tool that embeds the library uses it.

Each inner run is a pytest of its own, in a subprocess, in a fresh directory with its own
configuration: it finds the plugin through the installed entry point, as a user's project does.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]

INNER_CONFTEST = """
from typing import Any

import pytest

from linxo_assoconnect import chromium_launch_options


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], playwright: Any) -> dict:
    # pytest-playwright's own options, plus the Chromium this machine has.
    options = chromium_launch_options(playwright.chromium)
    args = [*browser_type_launch_args.get("args", []), *options.pop("args")]
    return {**browser_type_launch_args, **options, "args": args}
"""

INNER_TESTS = """
import pytest
from playwright.sync_api import Page, expect

from linxo_assoconnect.testing import SCENARIOS, Sandbox, Scenario


def test_page_browses_the_sandboxed_linxo(linxo_sandbox: Sandbox, page: Page) -> None:
    page.goto("https://wwws.linxo.com/auth.page#Login")
    expect(page.get_by_role("button", name="Je me connecte")).to_be_visible()
    assert linxo_sandbox.record.requests == ["GET https://wwws.linxo.com/auth.page"]


@pytest.mark.linxo_scenario("broken_connection", variant="b")
def test_marker_chooses_the_scenario(linxo_sandbox: Sandbox, linxo_scenario: Scenario) -> None:
    assert linxo_sandbox.scenario is linxo_scenario
    assert linxo_sandbox.scenario.variant == "b"
    assert linxo_sandbox.scenario.broken_banks == SCENARIOS["broken_connection"].broken_banks
    assert not linxo_sandbox.connection("Banque Populaire").healthy
    assert linxo_sandbox.connection("Crédit Coopératif").healthy


@pytest.mark.linxo_scenario("sync_running", variant="random:17", cookie_consent=True)
def test_marker_takes_a_seed_and_switches(linxo_sandbox: Sandbox) -> None:
    assert linxo_sandbox.markup.name == "random:17"
    assert linxo_sandbox.markup.cookie_consent
    assert linxo_sandbox.scenario.sync_running_at_start


def test_no_marker_is_a_calm_day(linxo_sandbox: Sandbox) -> None:
    assert linxo_sandbox.scenario == Scenario()
    assert all(c.healthy for c in linxo_sandbox.connections)
"""

# The inner run's own settings: warnings are errors (as in this project) but for the one
# pytest-base-url (pulled by pytest-playwright) still emits; unknown markers are errors.
INNER_OPTIONS = (
    "--strict-markers",
    "-p",
    "no:cacheprovider",
    "-W",
    "error",
    "-W",
    "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning",
)


@pytest.fixture
def inner_project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_inner=INNER_TESTS)
    return pytester


def test_plugin_serves_the_sandbox_to_pytest_playwright(inner_project: pytest.Pytester) -> None:
    result = inner_project.runpytest_subprocess(*INNER_OPTIONS, "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "plugins:*linxo-assoconnect-*",
            "*::test_page_browses_the_sandboxed_linxo?chromium? PASSED*",
            "*::test_marker_chooses_the_scenario?chromium? PASSED*",
            "*::test_marker_takes_a_seed_and_switches?chromium? PASSED*",
            "*::test_no_marker_is_a_calm_day?chromium? PASSED*",
        ]
    )


def test_marker_and_fixtures_come_from_the_plugin(inner_project: pytest.Pytester) -> None:
    """Without the plugin (blocked by its entry-point name) the same tests cannot run."""
    result = inner_project.runpytest_subprocess(*INNER_OPTIONS, "-p", "no:linxo_assoconnect")
    assert result.ret != pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*'linxo_scenario' not found in `markers` configuration option*"])
    result.stdout.no_fnmatch_line("*passed*")


def test_an_unknown_markup_in_the_marker_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.linxo_scenario(variant="c")
        def test_it(linxo_scenario):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*INNER_OPTIONS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*balisage inconnu*acceptés a, b, bare et random:N*"])


def test_plugin_documents_its_marker(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["@pytest.mark.linxo_scenario(name=None, **fields):*"])


def test_the_plugin_costs_nothing_until_a_fixture_is_used() -> None:
    """Every pytest run where the package is installed loads the plugin: it imports no sandbox,
    no pydantic model and no Playwright (and so neither does ``import linxo_assoconnect``)."""
    heavy = (
        "linxo_assoconnect.testing._",
        "linxo_assoconnect.capture",
        "linxo_assoconnect.pages",
        "linxo_assoconnect.session",
        "linxo_assoconnect.flows",
        "playwright",
        "pydantic",
        "jinja2",
    )
    code = (
        "import sys; import linxo_assoconnect.testing.plugin; "
        f"print(sorted(m for m in sys.modules if m.startswith({heavy!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
