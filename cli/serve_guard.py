"""The access checks ``triage serve`` adds to textual-serve's ``Server``.

textual-serve answers anyone: any web page the user visits could open a websocket
to ``127.0.0.1:8000`` (browsers do not apply the same-origin policy to websockets)
and read the file and type keys into the workbench; a DNS-rebinding page could
fetch the index; each connection starts a process with no limit. ``GuardedServer``
overrides the server's public request handlers (index, websocket, download) and,
before handing a request on, refuses it with 403 when

* its ``Host`` header is not the served address (the bind address and port, the
  ``--public-url`` host, and for loopback ``localhost`` / ``127.0.0.1`` / ``[::1]``):
  this defeats DNS rebinding;
* it carries an ``Origin`` that is not one of those hosts (a foreign web page), or
  ``Origin: null``;
* it lacks the per-run token: ``?token=`` in the URL ``triage serve`` prints (as
  Jupyter does), which the index answers with an ``HttpOnly``, ``SameSite=Strict``
  cookie so the page's own websocket carries it; a non-browser client may pass
  ``?token=`` on the websocket URL instead.

and answers 503 when ``max_sessions`` websocket sessions are already open (each one
is a process of ~50 MB). The static files (textual-serve's own JavaScript, CSS and
fonts) stay public: they hold nothing of the user's. Tokens are compared in
constant time. Refusals are logged as one line on stderr. textual-serve's start-up
banner (the file name as Rich markup) is replaced by ``triage serve``'s own line.
"""

from __future__ import annotations

import hmac
import sys
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server
from triagebench.parser import printable

COOKIE_PREFIX = "triage-serve-"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def allowed_hosts(host: str, port: int, public_url: str, loopback: bool) -> frozenset[str]:
    """The ``Host`` header values (lower case, ``name:port``) that mean this server."""
    hosts = set()
    bracketed = f"[{host}]" if ":" in host and not host.startswith("[") else host
    hosts.add(f"{bracketed}:{port}".lower())
    parts = urlsplit(public_url)
    if parts.hostname:
        name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        default = 443 if parts.scheme == "https" else 80
        public_port = parts.port or default
        hosts.add(f"{name}:{public_port}".lower())
        if public_port == default:
            hosts.add(name.lower())
    if loopback:
        hosts.update(f"{name}:{port}" for name in LOOPBACK_NAMES)
    return frozenset(hosts)


class GuardedServer(Server):
    """textual-serve's ``Server`` with Host/Origin/token checks and a session cap."""

    def __init__(self, command: str, *, host: str, port: int, title: str, public_url: str,
                 token: str, max_sessions: int, loopback: bool) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.token = token
        self.max_sessions = max_sessions
        self.open_sessions = 0
        self.hosts = allowed_hosts(host, port, public_url, loopback)
        self.cookie = f"{COOKIE_PREFIX}{port}"

    async def on_startup(self, app: web.Application) -> None:
        """Print nothing: textual-serve's banner prints the served command (with the
        file name) as Rich markup, so a name holding ``[link=...]`` became an OSC 8
        hyperlink; ``triage serve`` prints its own escaped line with the URL."""

    # -- checks ------------------------------------------------------------------
    def refusal(self, request: web.Request, *, cookie_ok: bool = True) -> str | None:
        """Why ``request`` is refused (one line), or None when it may go on."""
        host = (request.headers.get("Host") or "").lower()
        if host not in self.hosts:
            return f"Host {host!r} is not the served address"
        origin = request.headers.get("Origin")
        if origin is not None:
            parts = urlsplit(origin)
            netloc = parts.netloc.lower()
            if parts.scheme not in ("http", "https") or not (
                    netloc in self.hosts or f"{netloc}:{443 if parts.scheme == 'https' else 80}"
                    in self.hosts):
                return f"Origin {origin!r} is not the served address"
        supplied = request.query.get("token") or (request.cookies.get(self.cookie)
                                                  if cookie_ok else None)
        if not supplied or not hmac.compare_digest(supplied.encode(), self.token.encode()):
            return "no valid token (open the URL triage serve printed, with its ?token=)"
        return None

    def refuse(self, request: web.Request, reason: str) -> web.Response:
        print(f"triage serve: refused {printable(request.method)} "
              f"{printable(request.path)} from {printable(str(request.remote))}: "
              f"{printable(reason)}", file=sys.stderr, flush=True)
        return web.Response(status=403, text=f"Forbidden: {reason}\n",
                            headers={"Cache-Control": "no-store"})

    # -- guarded handlers ----------------------------------------------------------
    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        reason = self.refusal(request)
        if reason:
            return self.refuse(request, reason)
        response: web.StreamResponse = await super().handle_index(request)
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
        # The page's own requests must not leak the token in a Referer header.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        reason = self.refusal(request)
        if reason:
            return self.refuse(request, reason)
        if self.open_sessions >= self.max_sessions:
            print(f"triage serve: refused a session: {self.max_sessions} already open "
                  f"(--max-sessions)", file=sys.stderr, flush=True)
            return web.Response(status=503, text=f"Too many sessions: {self.max_sessions} "
                                                 f"already open\n")
        self.open_sessions += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.open_sessions -= 1

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        reason = self.refusal(request)
        if reason:
            return self.refuse(request, reason)
        return await super().handle_download(request)


__all__ = ["GuardedServer", "allowed_hosts"]
