"""Playwright routing for a set of offline sites: the sandbox's, or a captured set's."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from ._http import Request, Response

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext as AsyncBrowserContext
    from playwright.async_api import Route as AsyncRoute
    from playwright.sync_api import BrowserContext, Route

__all__ = ["Sites", "serve_async", "serve_sync"]


class Sites(Protocol):
    """Offline sites that answer requests at their real hostnames."""

    @property
    def latency(self) -> float: ...

    def serves(self, host: str) -> bool: ...

    def blocked(self, url: str) -> None: ...

    def respond(self, request: Request) -> Response: ...


def _request(route: Route | AsyncRoute, sites: Sites) -> Request | None:
    """The request as the sites see it, or None (noted, to abort) if no site is there."""
    r = route.request
    request = Request(
        r.method, r.url, r.headers, r.post_data_buffer, navigation=r.is_navigation_request()
    )
    if not sites.serves(request.host):
        sites.blocked(r.url)
        return None
    return request


def serve_sync(context: BrowserContext, sites: Sites) -> None:
    """Serve ``sites`` to a sync-API BrowserContext; every other request is aborted."""

    def serve(route: Route) -> None:
        request = _request(route, sites)
        if request is None:
            route.abort("blockedbyclient")
            return
        if sites.latency and context.pages:
            # The simulated site being slow; Playwright keeps dispatching meanwhile.
            context.pages[0].wait_for_timeout(sites.latency * 1000)
        response = sites.respond(request)
        if response.lost:
            route.abort("connectionreset")
            return
        route.fulfill(
            status=response.status,
            headers={"content-type": response.content_type, **response.headers},
            body=response.body,
        )

    context.route("**/*", serve)


async def serve_async(context: AsyncBrowserContext, sites: Sites) -> None:
    """Serve ``sites`` to an async-API BrowserContext; every other request is aborted."""

    async def serve(route: AsyncRoute) -> None:
        request = _request(route, sites)
        if request is None:
            await route.abort("blockedbyclient")
            return
        if sites.latency:
            await asyncio.sleep(sites.latency)  # the simulated site being slow
        response = sites.respond(request)
        if response.lost:
            await route.abort("connectionreset")
            return
        await route.fulfill(
            status=response.status,
            headers={"content-type": response.content_type, **response.headers},
            body=response.body,
        )

    await context.route("**/*", serve)
