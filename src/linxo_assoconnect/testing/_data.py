"""The sandbox's obviously fake people, banks and accounts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "ASSOCIATIONS",
    "DEMO_ASSOCONNECT",
    "DEMO_BANK",
    "DEMO_LINXO",
    "DEMO_LINXO_CODE",
    "DEMO_SMS_CODE",
    "LINXO_CONNECTIONS",
    "DemoLogin",
    "federation",
    "federation_linxo",
]


@dataclass(frozen=True)
class DemoLogin:
    """A sandbox identity. These are fixtures, not secrets: they open nothing but the sandbox."""

    username: str
    password: str


DEMO_LINXO = DemoLogin("tresorier@association-exemple.fr", "demo-linxo-mdp")
"""The sandboxed Linxo's treasurer."""
DEMO_ASSOCONNECT = DemoLogin("tresorier@association-exemple.fr", "demo-assoconnect-mdp")
"""The sandboxed AssoConnect's treasurer, administrator of « Association Exemple »."""
DEMO_BANK = DemoLogin("12345678", "demo-banque-mdp")
"""The demo bank's login (« Banque Populaire Exemple »'s authentication page)."""
DEMO_SMS_CODE = "482915"
"""The code the demo bank « sends » by SMS (unless the scenario sets another)."""
DEMO_LINXO_CODE = "731064"
"""The code the sandboxed Linxo « sends » by e-mail when it asks for one."""


@dataclass(frozen=True)
class LinxoAccountSeed:
    name: str
    balance: Decimal


@dataclass(frozen=True)
class ConnectionSeed:
    bank: str
    accounts: tuple[LinxoAccountSeed, ...]
    owner: str = DEMO_LINXO.username
    """The Linxo user whose « Mes comptes » shows this connection."""


@dataclass(frozen=True)
class AssoAccountSeed:
    name: str
    iban: str
    linxo_account: str


@dataclass(frozen=True)
class AssociationSeed:
    name: str
    accounts: tuple[AssoAccountSeed, ...]
    linxo_user: str = DEMO_LINXO.username
    """The Linxo user whose accounts AssoConnect offers to link (the association's Linxo)."""


LINXO_CONNECTIONS = (
    ConnectionSeed(
        "Banque Populaire Exemple",
        (
            LinxoAccountSeed("Compte courant Association Exemple", Decimal("1234.56")),
            LinxoAccountSeed("Livret A Association Exemple", Decimal("5000.00")),
            LinxoAccountSeed("Parts sociales Association Exemple", Decimal("15.00")),
        ),
    ),
    ConnectionSeed(
        "Crédit Coopératif Exemple",
        (LinxoAccountSeed("Compte chèques Club Exemple", Decimal("-67.00")),),
    ),
)

ASSOCIATIONS = (
    AssociationSeed(
        "Association Exemple",
        (
            AssoAccountSeed(
                "Compte courant",
                "FR76 3000 6000 0112 3456 7890 189",
                "Compte courant Association Exemple",
            ),
            AssoAccountSeed(
                "Livret A",
                "FR76 3000 6000 0198 7654 3210 042",
                "Livret A Association Exemple",
            ),
        ),
    ),
    AssociationSeed(
        "Club Exemple de Voile",
        (
            AssoAccountSeed(
                "Compte chèques",
                "FR76 1027 8060 0000 0202 1234 512",
                "Compte chèques Club Exemple",
            ),
        ),
    ),
)


def federation(size: int) -> tuple[tuple[ConnectionSeed, ...], tuple[AssociationSeed, ...]]:
    """``size`` more associations, each with a Linxo of its own: « Association Exemple 01 »,
    Linxo user ``tresorier01@association-exemple.fr`` (the demo Linxo password), bank
    connection « Banque Exemple 01 » and account « Compte courant 01 ». The demo AssoConnect
    treasurer administers them all, as a federation's treasurer does."""
    connections, associations = [], []
    for number in range(1, size + 1):
        n = f"{number:02d}"
        user = f"tresorier{n}@association-exemple.fr"
        linxo_account = f"Compte courant Exemple {n}"
        balance = Decimal(f"{100 * number}.{number:02d}")
        connections.append(
            ConnectionSeed(f"Banque Exemple {n}", (LinxoAccountSeed(linxo_account, balance),), user)
        )
        iban = f"FR76 3000 4000 {number:04d} 0000 0000 {number:03d}"
        associations.append(
            AssociationSeed(
                f"Association Exemple {n}",
                (AssoAccountSeed(f"Compte courant {n}", iban, linxo_account),),
                user,
            )
        )
    return tuple(connections), tuple(associations)


def federation_linxo(number: int) -> DemoLogin:
    """The Linxo login of the federation's association ``number`` (see `federation`)."""
    return DemoLogin(f"tresorier{number:02d}@association-exemple.fr", DEMO_LINXO.password)
