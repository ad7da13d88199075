"""The supervisors' dashboard at ``/dashboard`` and its JSON API under ``/v1/dashboard``.

Pages are rendered on the server (Jinja2, ``templates/``); one small script
(``static/dashboard.js``, no build step) swaps the panel for a fresh one every few seconds
without reloading. Every page and API call but the login needs a supervisor's session:

- ``POST /dashboard/login`` (the form) or ``POST /v1/dashboard/session`` (JSON) checks the
  name and password (central/supervisors.py: scrypt, failed logins slowed down per name and
  per address) and sets the session cookie: HttpOnly, SameSite=Strict, Secure over HTTPS.
- Every action carries the session's CSRF token: the forms in a hidden field, the API in the
  ``X-CSRF-Token`` header. The login form, before any session, carries a token that must
  match its own cookie (double submit); the JSON login takes ``application/json`` only,
  which no cross-site form can send.
- Pages forbid framing and every script or style not served from here (CSP).

Station tokens open nothing here, and a supervisor's session opens nothing of the stations'.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from . import dashboard_texts
from .dashboard_data import DEFAULT_SILENT_AFTER, DEFAULT_TIMEZONE, overview
from .db import CentralDB
from .supervisors import LoginRefused, Session, Supervisors
from .transport import StationGate

__all__ = ["SESSION_COOKIE", "install_dashboard"]

SESSION_COOKIE = "ektp_dashboard"
LOGIN_CSRF_COOKIE = "ektp_login_csrf"
LANG_COOKIE = "ektp_lang"
CSRF_HEADER = "x-csrf-token"
MAX_FORM = 4096
REFRESH_SECONDS = 5
HERE = Path(__file__).parent
STATIC = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class LoginRequest(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class SessionReply(BaseModel):
    name: str
    csrf_token: str = Field(description="Send it back in X-CSRF-Token with every action")


def _lang(request: Request) -> str:
    """Bahasa Indonesia unless the supervisor chose English (the link on every page; kept
    in a cookie). Not the browser's Accept-Language: many counters' PCs say "en-US"."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return str(asked) if asked in dashboard_texts.LANGS else "id"


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["REFRESH_SECONDS"] = REFRESH_SECONDS
    return env


SPARK_MIN_SPAN = 3600.0
"""The backlog line spans at least the last hour (then the day so far), so that the first
minutes of a day are not a dot at the right edge."""


def sparkline(points: list[list[Any]], day_start: str, now: str, width: int = 160) -> str:
    """SVG polyline points of a station's backlog over the day (x: time, y: backlog)."""
    if not points:
        return ""
    t1 = datetime.fromisoformat(now).timestamp()
    first = datetime.fromisoformat(points[0][0]).timestamp()
    t0 = max(datetime.fromisoformat(day_start).timestamp(), min(first, t1 - SPARK_MIN_SPAN))
    t1 = max(t1, t0 + 1)
    top = max(1, max(int(p[1]) for p in points))
    height = 24
    coords = []
    for at, pending in points:
        x = (datetime.fromisoformat(at).timestamp() - t0) / (t1 - t0) * width
        y = height - (int(pending) / top) * (height - 2) - 1
        coords.append(f"{max(0.0, min(width, x)):.1f},{y:.1f}")
    if len(coords) == 1:
        coords.append(f"{width:.1f},{coords[0].split(',')[1]}")
    return " ".join(coords)


def install_dashboard(
    app: FastAPI,
    db: CentralDB,
    gate: StationGate,
    *,
    silent_after: float = DEFAULT_SILENT_AFTER,
    timezone: str = DEFAULT_TIMEZONE,
    supervisors: Supervisors | None = None,
) -> Supervisors:
    """Add the pages and the API to ``app``; returns the accounts it checks logins against."""
    accounts = supervisors or Supervisors(db)
    app.state.dashboard_silent_after = silent_after
    env = _templates()
    error = gate.error

    def picture() -> dict[str, Any]:
        return overview(db, silent_after=silent_after, timezone=timezone)

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = _lang(request)

        def t(key: str, **params: object) -> str:
            return dashboard_texts.text(key, lang, **params)

        def ago(seconds: float | None) -> str:
            return dashboard_texts.ago(seconds, lang)

        html = env.get_template(name).render(
            t=t, ago=ago, lang=lang, sparkline=sparkline, **context
        )
        response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
        if request.query_params.get("lang") in dashboard_texts.LANGS:
            response.set_cookie(
                LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict", httponly=True
            )
        return response

    async def current(request: Request) -> Session | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        return await run_in_threadpool(accounts.session, token)

    def set_session(request: Request, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(accounts.lifetime.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )

    def address(request: Request) -> str:
        return request.client.host if request.client else "-"

    async def form(request: Request) -> dict[str, str] | Response:
        body = await gate.body(request, MAX_FORM)
        if isinstance(body, Response):
            return body
        try:
            return dict(parse_qsl(body.decode("utf-8"), max_num_fields=8))
        except (UnicodeDecodeError, ValueError):
            return error(400, "bad_form", "Isi formulir tidak sah.")

    def login_page(
        request: Request, message: str | None = None, status: int = 200, retry_after: int = 0
    ) -> HTMLResponse:
        csrf = secrets.token_urlsafe(32)
        response = render(request, "login.html", status, message=message, csrf=csrf)
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            csrf,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/dashboard",
        )
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    async def try_login(request: Request, name: str, password: str) -> tuple[Session, str] | int:
        """(session, cookie token), or the HTTP status of the refusal (with retry_after
        stashed on the request for the 429)."""
        try:
            made = await run_in_threadpool(accounts.login, name, password, address(request))
        except LoginRefused as refused:
            request.state.retry_after = refused.retry_after
            return 429
        return 401 if made is None else made

    @app.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
    async def dashboard(request: Request) -> Response:
        session = await current(request)
        if session is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        data = await run_in_threadpool(picture)
        return render(request, "dashboard.html", data=data, session=session)

    @app.get("/dashboard/panel", response_class=HTMLResponse, include_in_schema=False)
    async def panel(request: Request) -> Response:
        session = await current(request)
        if session is None:
            return error(401, "no_session", dashboard_texts.text("session_ended", _lang(request)))
        data = await run_in_threadpool(picture)
        return render(request, "panel.html", data=data, session=session)

    @app.get("/dashboard/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_form(request: Request) -> Response:
        if await current(request) is not None:
            return RedirectResponse("/dashboard", status_code=303)
        return login_page(request)

    @app.post("/dashboard/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_submit(request: Request) -> Response:
        fields = await form(request)
        if isinstance(fields, Response):
            return fields
        lang = _lang(request)
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(expected, fields.get("csrf", "")):
            return login_page(request, dashboard_texts.text("login_expired", lang), 403)
        outcome = await try_login(request, fields.get("name", ""), fields.get("password", ""))
        if outcome == 429:
            wait = int(request.state.retry_after)
            message = dashboard_texts.text("login_throttled", lang, seconds=wait)
            return login_page(request, message, 429, retry_after=wait)
        if isinstance(outcome, int):
            return login_page(request, dashboard_texts.text("login_failed", lang), 401)
        response = RedirectResponse("/dashboard", status_code=303)
        set_session(request, response, outcome[1])
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/dashboard")
        return response

    @app.post("/dashboard/logout", include_in_schema=False)
    async def logout_submit(request: Request) -> Response:
        fields = await form(request)
        if isinstance(fields, Response):
            return fields
        session = await current(request)
        if session is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        if not hmac.compare_digest(session.csrf_token, fields.get("csrf", "")):
            return error(403, "csrf", "Token CSRF tidak cocok.")
        await run_in_threadpool(accounts.logout, request.cookies[SESSION_COOKIE])
        response = RedirectResponse("/dashboard/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/dashboard/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in STATIC:
            return error(404, "not_found", "Berkas tidak ada.")
        return FileResponse(
            HERE / "static" / name,
            media_type=STATIC[name],
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
        )

    _install_api(app, accounts, gate, current, set_session, try_login, picture)
    return accounts


def _install_api(
    app: FastAPI,
    accounts: Supervisors,
    gate: StationGate,
    current: Callable[[Request], Any],
    set_session: Callable[[Request, Response, str], None],
    try_login: Callable[[Request, str, str], Any],
    picture: Callable[[], dict[str, Any]],
) -> None:
    """The JSON API behind the page (in the OpenAPI description)."""
    error = gate.error
    refusals: dict[int | str, dict[str, Any]] = {
        401: {"description": "No session, or it ended (log in again)"},
        403: {"description": "The CSRF token is missing or does not match"},
        429: {"description": "Too many failed logins for this name or address (Retry-After)"},
    }

    @app.post(
        "/v1/dashboard/session",
        response_model=SessionReply,
        responses=refusals,
        summary="Log a supervisor in (sets the session cookie)",
        tags=["dashboard"],
    )
    async def api_login(request: Request) -> Any:
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type != "application/json":
            return error(415, "unsupported_media_type", "Content-Type harus application/json.")
        body = await gate.body(request, MAX_FORM)
        if isinstance(body, Response):
            return body
        try:
            wanted = LoginRequest.model_validate_json(body)
        except ValidationError:
            return error(400, "invalid_login", "Isi permintaan masuk tidak sah.")
        outcome = await try_login(request, wanted.name, wanted.password)
        if outcome == 429:
            return error(
                429,
                "too_many_login_failures",
                "Terlalu banyak percobaan masuk yang gagal; coba lagi nanti.",
                retry_after=int(request.state.retry_after),
            )
        if isinstance(outcome, int):
            return error(401, "login_failed", "Nama atau kata sandi salah.")
        session, token = outcome
        response = JSONResponse(
            SessionReply(name=session.name, csrf_token=session.csrf_token).model_dump()
        )
        set_session(request, response, token)
        return response

    @app.delete(
        "/v1/dashboard/session",
        status_code=204,
        responses=refusals,
        summary="Log out (needs X-CSRF-Token)",
        tags=["dashboard"],
    )
    async def api_logout(request: Request) -> Response:
        session = await current(request)
        if session is None:
            return error(401, "no_session", "Belum masuk atau sesi berakhir.")
        if not hmac.compare_digest(session.csrf_token, request.headers.get(CSRF_HEADER, "")):
            return error(403, "csrf", "Token CSRF tidak cocok.")
        await run_in_threadpool(accounts.logout, request.cookies[SESSION_COOKIE])
        response = Response(status_code=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get(
        "/v1/dashboard/overview",
        responses=refusals,
        summary="Every station, today's registrations by place, entries under review",
        tags=["dashboard"],
    )
    async def api_overview(request: Request) -> Any:
        if await current(request) is None:
            return error(401, "no_session", "Belum masuk atau sesi berakhir.")
        return JSONResponse(await run_in_threadpool(picture), headers={"Cache-Control": "no-store"})
