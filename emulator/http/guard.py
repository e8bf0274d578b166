"""Keeps web pages away from the control surface. A page the developer happens to visit can
send a `text/plain` POST to any port on 127.0.0.1 (no CORS preflight), and a DNS-rebinding page
can even read the answers, under its own host name. So:

- control writes (any method but GET/HEAD/OPTIONS under /_emulator) are refused with 403 when the
  browser says the request is cross-site (`Origin` not this origin, `Sec-Fetch-Site` cross-site
  or same-site);
- requests that came over a socket to /_emulator, /docs and /openapi.json need a `Host` a
  rebinding page cannot have: a loopback name or one of `allowed_hosts`; bound beyond loopback
  (a container reached by its service name) also any IP literal and any single-label name
  (`emulator`, a CI service), never another dotted name;
- with an admin token, /_emulator (but /_emulator/health and the inbox page's files) needs it,
  as `Authorization: Bearer` or `X-Invent-Admin-Token` (401 otherwise).

Paths are routed as the client wrote them: an encoded slash (`%2F`) is part of a name, never a
separator, so `/orgs/c/broadcasts/bc_x%2Fsend` cannot reach the send route. No id contains a
slash, so such a path matches no route: the `Gateway` (http/middleware.py) answers 404 in the
envelope, before the router decodes it.

In-process traffic (httpx.ASGITransport, the plugin's in-process transport) is exempt from the
Host check: no browser is involved. It is told apart by `scope["server"]`, which an ASGI server
fills with the socket's numeric address and in-process transports with the URL's host name."""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from starlette.types import Scope

from emulator import paths
from emulator.paths import OPEN_CONTROL_PATHS, is_control, is_docs
from emulator.support.hosts import canonical_host, is_loopback

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_HEADER = "x-invent-admin-token"


@dataclass(frozen=True, slots=True)
class GuardPolicy:
    """What the guard enforces, from the settings: the decision itself is `control_refusal`."""

    beyond_loopback: bool
    allowed_hosts: frozenset[str] = frozenset()
    admin_token: str | None = None

    @classmethod
    def of(cls, bound_host: str, allowed_hosts: tuple[str, ...] = (),
           admin_token: str | None = None) -> GuardPolicy:
        return cls(not is_loopback(bound_host),
                   frozenset(canonical_host(h) for h in allowed_hosts), admin_token)


def control_refusal(policy: GuardPolicy, scope: Scope) -> tuple[int, str] | None:
    """(status, message) when an HTTP request must be refused, None when it may pass."""
    path: str = scope["path"]
    control = is_control(path)
    docs = is_docs(path)
    if not (control or docs):
        return None
    headers = _headers(scope)
    host = headers.get("host", "")
    if _over_socket(scope) and not host_allowed(policy, host):
        return 403, (f"Host '{host}' is not allowed on {path} (DNS-rebinding protection): "
                     "use a loopback name, an IP address or a single-label name, or add it "
                     "with --allowed-hosts / INVENT_EMULATOR_ALLOWED_HOSTS")
    if control and scope["method"] not in SAFE_METHODS and _cross_site(scope, headers, host):
        return 403, ("Cross-site requests may not change the emulator: "
                     f"{scope['method']} {path} came from another site")
    if (control and policy.admin_token and not _open_without_token(scope["method"], path)
            and not _has_token(headers, policy.admin_token)):
        return 401, ("The control surface needs the admin token: send "
                     "'Authorization: Bearer <token>' or 'X-Invent-Admin-Token: <token>'")
    return None


def host_allowed(policy: GuardPolicy, host: str) -> bool:
    """Whether a `Host` header names this emulator rather than a page's own domain (DNS
    rebinding: an attacker's name made to resolve to this address). Names an attacker cannot
    own pass: loopback names, the allowed hosts and, bound beyond loopback, IP literals and
    single-label names (a container's service name)."""
    if not host:
        return True  # HTTP/1.0 tools may omit it; a browser always sends one
    name = canonical_host(host_name(host))
    if is_loopback(name) or name in policy.allowed_hosts:
        return True
    if not policy.beyond_loopback:
        return False
    return _is_ip_literal(name) or ("." not in name and bool(name))


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_name(host: str) -> str:
    """The name in a Host header, without its port: `[::1]:4010` → `::1`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1")
            for k, v in scope.get("headers", [])}


def _over_socket(scope: Scope) -> bool:
    server = scope.get("server")
    if not server or not isinstance(server[1], int):
        return False
    try:
        ipaddress.ip_address(str(server[0]))
    except ValueError:
        return False
    return True


def _cross_site(scope: Scope, headers: dict[str, str], host: str) -> bool:
    if headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False  # not sent by a browser page (curl, test clients, server-side code)
    return origin.lower().rstrip("/") != f"{scope.get('scheme', 'http')}://{host}".lower()


def _has_token(headers: dict[str, str], token: str) -> bool:
    given = headers.get(TOKEN_HEADER)
    if given is None:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        given = value.strip() if scheme.lower() == "bearer" else None
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def has_encoded_slash(scope: Scope) -> bool:
    raw = scope.get("raw_path")
    return isinstance(raw, bytes) and b"%2f" in raw.lower()


# The inbox page and its static files hold no data: a browser navigation cannot send the token,
# so they are served without it (the page asks for it, and sends it on every data call).
def _open_without_token(method: str, path: str) -> bool:
    if path in OPEN_CONTROL_PATHS:
        return True
    return method in ("GET", "HEAD") and (path == paths.UI or path.startswith(paths.UI + "/"))
