"""Where the command line gets the code Linxo sends by e-mail when it asks for one.

In this order: the configured mailbox (``[mail]``, read-only, each of its answers awaited for
at most the configuration's ``timeout``), then the terminal (hidden input), then the
sandbox's simulated person. When none can give it (a mailbox that cannot be read
included), the association's result is « a person must act », and the other associations
go on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
import sys
from collections.abc import Callable
from typing import Any

from .._core.errors import ConfigurationError, HumanActionRequired
from .._core.otp import AsyncOtp
from .._core.secrets import logger
from ._config import Config, reveal
from ._mail import linxo_code_from_imap

__all__ = ["LinxoCodes", "linxo_codes"]

LinxoCodes = Callable[[str], AsyncOtp | None]
"""For a Linxo login about to start (its user name): where its e-mail code comes from; None
when a person types it in the browser's window."""


def linxo_codes(config: Config, sandbox: Any) -> LinxoCodes:
    """The source of Linxo's e-mail codes for this configuration (mailbox password read now)."""
    mail = config.mail
    password = None
    if mail is not None:
        password = reveal(mail.password, service="mail", username=mail.username)
    terminal = sys.stdin.isatty()
    prompting = asyncio.Lock()  # one question at a time on one terminal

    async def typed(user: str) -> str:
        async with prompting:
            prompt = f"Code envoyé par Linxo à {user} (saisie masquée) : "
            code = (await asyncio.to_thread(getpass.getpass, prompt)).strip()
        if not code:
            raise HumanActionRequired(f"Aucun code saisi pour la connexion Linxo de {user}.")
        return code

    def for_login(user: str) -> AsyncOtp | None:
        started = dt.datetime.now(dt.UTC)
        if mail is not None and password is not None:

            async def from_mailbox() -> str:
                try:
                    code = await asyncio.to_thread(
                        linxo_code_from_imap,
                        host=mail.host,
                        port=mail.port,
                        username=mail.username,
                        password=password,
                        folder=mail.folder,
                        linxo_user=user,
                        since=started,
                        wait=mail.code_wait,
                        timeout=config.timeout,
                    )
                except ConfigurationError as error:  # unreachable, silent, refusing
                    if terminal:
                        logger.warning("%s Linxo's code is asked at the terminal.", error)
                        return await typed(user)
                    raise HumanActionRequired(
                        f"Linxo a envoyé un code à {user}, mais la boîte qui le reçoit n’a pas "
                        f"pu être lue : {error} Rien n’a été saisi : relancez, ou lancez la "
                        "commande depuis un terminal pour le saisir."
                    ) from None
                if code is not None:
                    return code
                if terminal:
                    return await typed(user)
                raise HumanActionRequired(
                    f"Linxo a envoyé un code à {user}, mais il n’est pas arrivé dans la boîte "
                    f"{mail.host} (dossier {mail.folder}) en {mail.code_wait:g} s. Rien n’a été "
                    "saisi : relancez, ou lancez la commande depuis un terminal pour le saisir."
                )

            return from_mailbox
        if sandbox is not None:
            demo = sandbox.scenario.linxo_code.get_secret_value()
            return lambda: demo
        if terminal:
            return lambda: typed(user)
        if config.chromium.headed:
            return None  # typed by a person in the browser's window
        return _nobody(user)

    return for_login


def _nobody(user: str) -> AsyncOtp:
    def ask() -> str:
        raise HumanActionRequired(
            f"Linxo demande le code envoyé par e-mail à {user}, et personne ne peut le donner "
            "ici : configurez la boîte qui le reçoit (section [mail]), ou lancez la commande "
            "depuis un terminal pour le saisir. Rien n’a été saisi."
        )

    return ask
