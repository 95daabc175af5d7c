"""The client's address, once for the whole project.

Behind `THEKE_PROXY_COUNT` reverse proxies the client is the address the outermost trusted
proxy saw: the proxies append to `X-Forwarded-For`, so it is the n-th entry from the right.
Everything to its left was written by the client and cannot be trusted. Without proxies,
or when the header is missing or shorter than the proxy chain (a request that bypassed the
proxy), it is `REMOTE_ADDR`.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address as a normalised string, or "" when none is known."""
    proxies = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            found = _normalised(forwarded[-proxies])
            if found:
                return found
    return _normalised(str(request.META.get("REMOTE_ADDR") or ""))


def _normalised(raw: str) -> str:
    """A valid IPv4/IPv6 address in its canonical form ("" for anything else)."""
    candidate = raw.strip()
    if candidate.startswith("[") and "]" in candidate:  # "[::1]:443"
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # "203.0.113.7:5555"
        candidate = candidate.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)
