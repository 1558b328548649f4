"""The whole tutorial in one call, on the demo scenario."""

from __future__ import annotations

from helpers import ASSOCONNECT, BANK, FAST_RETRY, LINXO, async_sandboxed
from linxo_assoconnect.aio import restore
from linxo_assoconnect.testing import DEMO_SMS_CODE, SCENARIOS


async def test_restore_fixes_connection_link_and_sync(variant: str) -> None:
    scenario = SCENARIOS["demo"].model_copy(update={"variant": variant})
    async with async_sandboxed(scenario) as (page, sandbox):
        report = await restore(
            page,
            association="Association Exemple",
            linxo=LINXO,
            assoconnect=ASSOCONNECT,
            bank=BANK,
            otp=lambda: DEMO_SMS_CODE,
            retry=FAST_RETRY,
            timeout=10,
            bank_timeout=10,
        )
        assert report.ok
        before = {c.bank: c.healthy for c in report.connections_before}
        assert before == {"Banque Populaire Exemple": False, "Crédit Coopératif Exemple": True}
        assert [r.bank for r in report.reauthentications] == ["Banque Populaire Exemple"]
        assert {a.name: a.status for a in report.accounts_before} == {
            "Compte courant": "Erreur lors du dernier import",
            "Livret A": "Compte bancaire introuvable",
        }
        assert {a.name: a.linxo_account for a in report.accounts_after} == {
            "Compte courant": "Compte courant Association Exemple",
            "Livret A": "Livret A Association Exemple",
        }
        assert sum(s.attempts for s in report.syncs) == 3  # one transient failure, retried
        assert len(sandbox.record.credential_submissions) == 1
        assert sandbox.record.disconnects == []
        assert sandbox.record.blocked == []
