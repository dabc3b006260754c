"""``triage serve FILE [--host 127.0.0.1] [--port N] [--public-url URL] [--max-sessions N]``: share the
workbench in a browser through textual-serve.

textual-serve runs a small aiohttp server; each browser tab that connects starts
its own ``triage FILE`` process (through the shell, with the web driver) and
streams it over a websocket. The served command is
``<this python> -m triagebench FILE`` so it works without ``triage`` on PATH and
in the same environment as this process.

A workbench session can read the file and write bookmarks and drafts as this user,
so access is guarded (``cli/serve_guard.py``): a random per-run token in the
printed URL (kept in a ``SameSite=Strict`` cookie), requests whose ``Host`` or
``Origin`` is not the served address refused (no cross-site websockets, no DNS
rebinding), and at most ``--max-sessions`` sessions at once. The server binds to
loopback unless told otherwise and warns when it is not. For a colleague on
another machine, an SSH tunnel (``ssh -L 8000:127.0.0.1:8000 host``) keeps it that way.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import secrets
import shlex
import socket
import sys

from triagebench.cli.common import InputError, fail, load_document
from triagebench.parser import printable

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 4
TOKEN_BYTES = 24


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", help="diagnostics file (default: the bundled demo)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--public-url", metavar="URL",
                        help="the URL browsers use to reach this server (behind a proxy or "
                             "tunnel; default http://HOST:PORT)")
    parser.add_argument("--max-sessions", type=int, default=DEFAULT_MAX_SESSIONS, metavar="N",
                        help="browser sessions open at once (each runs its own workbench "
                             f"process; default {DEFAULT_MAX_SESSIONS})")


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback
                                   for info in infos)


def free_port(host: str) -> int:
    """A port nobody listens on right now (for ``--port 0``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def served_command(path: str) -> str:
    """The shell command textual-serve runs per browser session."""
    return shlex.join([sys.executable, "-m", "triagebench", os.path.abspath(path)])


def url_host(host: str) -> str:
    """``host`` as written in a URL (IPv6 in brackets; the wildcard as this host's name)."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    return f"[{host}]" if ":" in host else host


def run(args: argparse.Namespace) -> int:
    from triagebench.cli.open import demo_path

    path = args.file or demo_path()
    try:
        load_document(path)  # one clear line now rather than a broken page later
    except InputError as exc:
        return fail(str(exc))
    if args.max_sessions < 1:
        return fail(f"triage serve: --max-sessions must be at least 1, not {args.max_sessions}")
    if not 0 <= args.port <= 65535:
        return fail(f"triage serve: --port {args.port} is not a port number (0-65535)")
    try:
        port = args.port or free_port(args.host)
    except OSError as exc:
        return fail(f"triage serve: cannot listen on {printable(args.host)}: "
                    f"{exc.strerror or exc}")
    public_url = args.public_url or f"http://{url_host(args.host)}:{port}"
    if not public_url.startswith(("http://", "https://")):
        return fail(f"triage serve: --public-url must start with http:// or https://, "
                    f"not {printable(public_url)!r}")
    if not is_loopback(args.host):
        print(f"warning: listening on {printable(args.host)}, not loopback: anyone who can "
              f"reach port {port} gets a workbench on this file as this user. Prefer the "
              f"default and an SSH tunnel.", file=sys.stderr)

    from triagebench.cli.serve_guard import GuardedServer

    name = os.path.basename(path)
    # The title lands in the page's HTML unescaped: keep only harmless characters.
    title = "triage " + re.sub(r"[^\w.+-]", "_", name)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    public_url = public_url.rstrip("/")
    server = GuardedServer(served_command(path), host=args.host, port=port, title=title,
                           public_url=public_url, token=token,
                           max_sessions=args.max_sessions, loopback=is_loopback(args.host))
    print(f"serving triage {printable(name)} at {printable(public_url)}/?token={token}  "
          f"(Ctrl+C to stop; the token is needed, keep the URL private)", flush=True)
    try:
        server.serve()
    except OSError as exc:
        return fail(f"triage serve: cannot listen on {printable(args.host)}:{port}: "
                    f"{exc.strerror or exc}")
    return 0
