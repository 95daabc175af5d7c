"""Where a webhook may go: http(s) URLs of public addresses (unless the tenant allows more).

A webhook makes Theke's server send requests to an address a tenant chose; without a
check, that address could be the platform's own database or a cloud metadata service
(server-side request forgery). So the host name is resolved and every address it names
must be public — when the endpoint is saved, and again before each delivery, where the
request then goes to exactly the address that was checked (a name that resolves to a
public address at the check and to 127.0.0.1 a moment later — DNS rebinding — gains
nothing).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.utils.translation import gettext_lazy as _

from theke.core.errors import ServiceError

SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ServiceError):
    """A URL that webhooks must not be sent to (scheme, address), with a message for staff."""


class TargetUnresolved(ServiceError):
    """A host name that does not resolve (now): may work later, unlike a refused target."""


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: its parts and the addresses it may be sent to."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def parse_url(url: str) -> SplitResult:
    """The parts of an http(s) URL with a host; TargetRefused otherwise."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise TargetRefused(
            _("Bitte geben Sie eine Adresse mit höchstens %(max)d Zeichen an."),
            "url",
            code="length",
            params={"max": MAX_URL_LENGTH},
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(_("Diese Adresse ist ungültig."), "url", code="invalid_url") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise TargetRefused(
            _("Bitte geben Sie eine Adresse an, die mit http:// oder https:// beginnt."),
            "url",
            code="scheme",
        )
    if not parts.hostname or any(c.isspace() for c in url):
        raise TargetRefused(
            _("Die Adresse enthält keinen gültigen Host-Namen."), "url", code="invalid_url"
        )
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(
            _(
                "Bitte geben Sie keine Zugangsdaten in der Adresse an. Ihr System erkennt "
                "echte Webhooks an der Signatur."
            ),
            "url",
            code="credentials",
        )
    if port == 0:
        raise TargetRefused(_("Diese Adresse ist ungültig."), "url", code="invalid_url")
    return parts


# IPv6 ranges that carry an IPv4 address: a packet to one of them reaches that IPv4 address
# (through a translator, a tunnel or the host's own stack), so the IPv4 address decides.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix, IPv4 at the end
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")  # the host's own IPv4 stack
IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # SIIT, RFC 2765
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated, RFC 4291 (:: and ::1 too)
SIXTOFOUR = ipaddress.IPv6Network("2002::/16")  # IPv4 in bits 16–47
TEREDO = ipaddress.IPv6Network("2001::/32")  # server and (inverted) client IPv4
# RFC 8215 local-use NAT64: refused whatever it embeds. Its translator is in a local network
# and where the IPv4 address sits depends on the prefix length the operator chose.
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
EMBEDDING = (NAT64, IPV4_MAPPED, IPV4_TRANSLATED, IPV4_COMPATIBLE, SIXTOFOUR, TEREDO)


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address maps to; () for a native IPv6 address."""
    if address in TEREDO:
        server, client = address.teredo or (None, None)
        return tuple(a for a in (server, client) if a is not None)
    if address in SIXTOFOUR:
        return (ipaddress.IPv4Address((int(address) >> 80) & 0xFFFFFFFF),)
    if any(address in network for network in EMBEDDING):
        return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    return ()


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address (not private, loopback, link-local, reserved …);
    an IPv6 address that maps to IPv4 (NAT64, 6to4, Teredo, IPv4-mapped) only when every
    IPv4 address in it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in NAT64_LOCAL:
            return False
        embedded = embedded_ipv4(address)
        if embedded:
            return all(is_public(ipv4) for ipv4 in embedded)
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address the host name stands for (an IP literal stands for itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetUnresolved(
            _("Der Host-Name „%(host)s“ lässt sich nicht auflösen."),
            "url",
            code="unresolved",
            params={"host": host},
        ) from exc
    found: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 zone id is no part of it
        if address not in found:
            found.append(address)
    return tuple(found)


def check_target(url: str, *, allow_private: bool) -> Target:
    """Parse and resolve a webhook URL; refuse it unless every address is allowed.

    Raises TargetRefused (scheme, credentials, a private address) or TargetUnresolved.
    """
    parts = parse_url(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses:
        raise TargetUnresolved(
            _("Der Host-Name „%(host)s“ lässt sich nicht auflösen."),
            "url",
            code="unresolved",
            params={"host": host},
        )
    if not allow_private:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address)):
                raise TargetRefused(
                    _(
                        "Die Adresse „%(host)s“ zeigt auf ein privates oder lokales Netz "
                        "(%(address)s). Webhooks gehen aus Sicherheitsgründen nur an "
                        "öffentlich erreichbare Adressen."
                    ),
                    "url",
                    code="private_address",
                    params={"host": host, "address": address},
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)
