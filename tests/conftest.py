from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Playwright

from linxo_assoconnect import chromium_launch_options


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], playwright: Playwright
) -> dict[str, Any]:
    """Playwright's Chromium when installed, else the system's."""
    return {**browser_type_launch_args, **chromium_launch_options(playwright.chromium)}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture(params=["a", "b"], ids=["markup-a", "markup-b"])
def variant(request: pytest.FixtureRequest) -> str:
    """Both recorded markups: page objects must not depend on one DOM."""
    value: str = request.param
    return value
