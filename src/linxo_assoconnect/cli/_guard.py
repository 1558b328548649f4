"""What keeps a run whole when something goes wrong around it: a signal, the browser going away.

A signal (SIGINT, SIGTERM) lets the steps under way end, and no new one start: each association
stops at its next safe point, between two steps, never between a click and reading its
outcome. A second signal cancels the steps under way, and says which were cut. A browser that
went away is replaced once per run; a page that crashed costs only a new page.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterator

from .._core.errors import BrowserClosed
from .._core.secrets import logger
from ..session._lanes import LanedSession
from ._results import AssociationResult, Interrupted, failed, interrupted

__all__ = ["Guard", "stopped_by_signals", "uncancel"]


class Guard:
    """A run's stop requests and its one browser restart."""

    def __init__(self, session: LanedSession) -> None:
        self.session = session
        self.stopping: str | None = None
        """Why the run is stopping (« SIGTERM »), once asked to."""
        self.tasks: list[asyncio.Future[AssociationResult]] = []
        """The associations' tasks, cancelled by a second signal."""
        self.steps: dict[str, str] = {}
        """Each association's step under way, as last said."""
        self._restarting = asyncio.Lock()
        self._restarted = False

    # Signals ----------------------------------------------------------------------------------

    def stop(self, reason: str) -> None:
        """A signal: no new step starts; a second one cuts the steps under way."""
        if self.stopping is None:
            self.stopping = reason
            return
        for task in self.tasks:
            task.cancel()

    def safe_point(self, what: str | None = None) -> None:
        """Where a run asked to stop does: before the step ``what`` (None: before anything
        for the association)."""
        if self.stopping is None:
            return
        if what is None:
            raise Interrupted(
                f"Arrêt demandé ({self.stopping}) : rien n’a été fait pour cette association."
            )
        raise Interrupted(
            f"Arrêt demandé ({self.stopping}) avant l’étape « {what} », qui n’a pas été commencée."
        )

    def cut_short(self, association: str) -> AssociationResult:
        """The result of an association whose step a second signal cancelled."""
        step = self.steps.get(association)
        if step is None:
            return interrupted(
                association, f"Arrêt demandé ({self.stopping}) : l’association n’a pas commencé."
            )
        return interrupted(
            association,
            f"Arrêtée pendant « {step} » par un second signal : vérifiez sur le site ce qui a "
            "été fait.",
        )

    def closed(self, association: str, error: BrowserClosed) -> AssociationResult:
        """An association whose browser went away: stopped, if a signal stops the run (the
        signal may have reached the browser too, as systemd sends it), else failed."""
        if self.stopping is not None:
            return interrupted(association, f"Arrêt demandé ({self.stopping}) : {error}")
        return failed(association, error)

    # The browser ------------------------------------------------------------------------------

    async def new_browser(self, error: BrowserClosed) -> bool:
        """Whether ``error``'s association may be done again, in a browser that works: the
        same one if only a page died, else one new browser per run."""
        if not error.resumable or self.stopping is not None:
            return False
        async with self._restarting:
            if not self.session.browser_gone():
                return True  # a page crashed, or another association started a new browser
            if self._restarted or not self.session.restartable:
                return False
            self._restarted = True
            try:
                await self.session.restart_browser()
            except Exception as failure:  # Playwright's own error too: no new browser, said
                first = str(failure).splitlines()[0] if str(failure) else type(failure).__name__
                logger.warning("no new browser could be started: %s", first)
                return False
            return True

    def browser_error(self, error: Exception) -> Exception:
        """An unforeseen Playwright error once the browser is gone: `BrowserClosed`."""
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        if self.session.browser_gone() or "has been closed" in first:
            return BrowserClosed(f"Le navigateur s’est fermé ({first}).")
        return error


@contextlib.contextmanager
def stopped_by_signals(guard: Guard) -> Iterator[list[signal.Signals]]:
    """SIGINT and SIGTERM stop the run at its next safe point (a second one: at once); the
    list it gives holds the first signal received, if any."""
    received: list[signal.Signals] = []
    loop = asyncio.get_running_loop()

    def on_signal(number: signal.Signals) -> None:
        if not received:
            received.append(number)
            print(
                f"Arrêt demandé ({number.name}) : fin de l’étape en cours, puis le résumé. "
                "Un second signal arrête tout de suite.",
                file=sys.stderr,
                flush=True,
            )
        guard.stop(number.name)

    handled = []
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(number, on_signal, number)
            handled.append(number)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, another thread
            pass
    try:
        yield received
    finally:
        for number in handled:
            loop.remove_signal_handler(number)


def uncancel() -> None:
    """The run's own cancellation (a second signal) ends here, with a result."""
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()
