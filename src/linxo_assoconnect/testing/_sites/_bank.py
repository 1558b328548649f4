"""The sandboxed demo bank: its login and its strong authentication (an SMS code or its app)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from .. import _state as st
from .._data import DEMO_BANK
from .._http import Handler, Request, Response, Routes
from ._common import BANK, LINXO, Host

__all__ = ["BankSite"]


class BankSite:
    """The demo bank: identifier and password, then an SMS code or a validation in its app."""

    name = "bank"

    def __init__(self, host: Host) -> None:
        self.host = host
        self.flows: dict[str, dict[str, str]] = {}  # state → redirect_uri, bank, sca start
        self.routes = Routes()
        self.routes.add("GET", "/authorize", self.login_page)
        self.routes.add("POST", "/authorize", self.login)
        self.routes.add("GET", "/sca/sms", self.sms_page)
        self.routes.add("POST", "/sca/sms", self.sms)
        self.routes.add("GET", "/sca/app", self.app_page)
        self.routes.add("GET", "/sca/app/status", self.app_status)

    def find(self, request: Request) -> Handler | None:
        return self.routes.find(request)

    def _flow(self, request: Request) -> tuple[str, dict[str, str]] | None:
        state = request.query.get("state") or request.form.get("state", "")
        flow = self.flows.get(state)
        return (state, flow) if flow is not None else None

    def login_page(
        self, request: Request, error: str | None = None, *, identifier: str = ""
    ) -> Response:
        state = request.query.get("state") or request.form.get("state", "")
        if not state:
            return self.host.render(self.name, "error.html", status=400)
        if state not in self.flows:
            redirect_uri = request.query.get("redirect_uri", "")
            if not redirect_uri.startswith(LINXO):
                return self.host.render(self.name, "error.html", status=400)
            self.flows[state] = {
                "redirect_uri": redirect_uri,
                "bank": request.query.get("bank", ""),
            }
        return self.host.render(
            self.name,
            "login.html",
            state=state,
            bank=self.flows[state]["bank"],
            error=error,
            step="password" if identifier else "identifier",
            identifier=identifier,
        )

    def login(self, request: Request) -> Response:
        found = self._flow(request)
        if found is None:
            return self.host.render(self.name, "error.html", status=400)
        state, _ = found
        identifier = request.form.get("identifiant", "")
        if "mot_de_passe" not in request.form:  # the first of two pages: the identifier only
            return self.login_page(request, identifier=identifier)
        ok = not self.host.scenario.bank_rejects_password and (
            identifier,
            request.form.get("mot_de_passe"),
        ) == (DEMO_BANK.username, self.host.scenario.bank_password.get_secret_value())
        self.host.record.add(
            st.Event(
                "bank_credentials", self.name, subject=identifier, outcome="ok" if ok else "refused"
            )
        )
        if not ok:
            return self.login_page(request, error="Identifiant ou mot de passe incorrect.")
        if self.host.scenario.bank_sca == "app":
            self.flows[state]["app_started"] = str(time.monotonic())
            return Response.redirect(f"{BANK}/sca/app?state={state}")
        return Response.redirect(f"{BANK}/sca/sms?state={state}")

    def sms_page(self, request: Request, error: str | None = None) -> Response:
        found = self._flow(request)
        if found is None:
            return self.host.render(self.name, "error.html", status=400)
        state, flow = found
        return self.host.render(self.name, "sms.html", state=state, bank=flow["bank"], error=error)

    def sms(self, request: Request) -> Response:
        found = self._flow(request)
        if found is None:
            return self.host.render(self.name, "error.html", status=400)
        state, flow = found
        code = self.host.scenario.sms_code.get_secret_value()
        ok = not self.host.scenario.bank_rejects_code and request.form.get("code") == code
        self.host.record.add(st.Event("bank_code", self.name, outcome="ok" if ok else "refused"))
        if not ok:
            return self.sms_page(request, error="Code incorrect. L’opération est annulée.")
        return Response.redirect(self._back_to_linxo(state, flow))

    def app_page(self, request: Request) -> Response:
        found = self._flow(request)
        if found is None:
            return self.host.render(self.name, "error.html", status=400)
        state, flow = found
        return self.host.render(self.name, "app.html", state=state, bank=flow["bank"])

    def app_status(self, request: Request) -> Response:
        found = self._flow(request)
        if found is None or "app_started" not in found[1]:
            return Response.json({"validated": False, "error": "unknown"})
        state, flow = found
        started = float(flow["app_started"])
        if time.monotonic() < started + self.host.scenario.app_validation_delay:
            return Response.json({"validated": False})
        if "validated" not in flow:
            flow["validated"] = "1"
            self.host.record.add(st.Event("bank_app_validation", self.name, outcome="ok"))
        return Response.json({"validated": True, "next": self._back_to_linxo(state, flow)})

    @staticmethod
    def _back_to_linxo(state: str, flow: dict[str, str]) -> str:
        return f"{flow['redirect_uri']}?{urlencode({'state': state, 'result': 'ok'})}"
