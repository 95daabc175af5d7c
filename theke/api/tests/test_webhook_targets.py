"""Webhook targets in IPv6 ranges that map to IPv4 (NAT64, 6to4, Teredo, IPv4-mapped …):
the IPv4 address inside decides, so none of them is a way round the private-address check."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.api.models import WebhookEndpoint
from theke.api.webhooks import services, targets
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.tenants.scoping import tenant_scope

# range: (an address embedding a private/loopback/metadata IPv4, one embedding a public IPv4)
RANGES: dict[str, tuple[str, str | None]] = {
    "NAT64 64:ff9b::/96": ("64:ff9b::a9fe:a9fe", "64:ff9b::5db8:d822"),  # 169.254.169.254
    "NAT64 local-use 64:ff9b:1::/48": ("64:ff9b:1::a00:1", None),  # refused whatever inside
    "6to4 2002::/16": ("2002:7f00:1::1", "2002:5db8:d822::1"),  # 127.0.0.1
    # Teredo: server 65.54.227.120, client (inverted) 10.0.0.1 or 93.184.216.34.
    "Teredo 2001::/32": ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "2001:0:4136:e378::a247:27dd"),
    "IPv4-mapped ::ffff:0:0/96": ("::ffff:c0a8:10a", "::ffff:5db8:d822"),  # 192.168.1.10
    "IPv4-translated ::ffff:0:0:0/96": ("::ffff:0:a00:1", "::ffff:0:5db8:d822"),
    "IPv4-compatible ::/96": ("::a00:1", "::5db8:d822"),
}


@pytest.mark.parametrize(("private", "public"), RANGES.values(), ids=RANGES.keys())
def test_an_embedded_private_ipv4_is_refused(private: str, public: str | None) -> None:
    with pytest.raises(targets.TargetRefused) as refused:
        targets.check_target(f"http://[{private}]/hook", allow_private=False)
    assert refused.value.code == "private_address"


@pytest.mark.parametrize(("private", "public"), RANGES.values(), ids=RANGES.keys())
def test_an_embedded_public_ipv4_passes(private: str, public: str | None) -> None:
    if public is None:
        with pytest.raises(targets.TargetRefused):
            targets.check_target("http://[64:ff9b:1::5db8:d822]/hook", allow_private=False)
        return
    target = targets.check_target(f"http://[{public}]/hook", allow_private=False)
    # getaddrinfo may write the address differently ("::ffff:93.184.216.34").
    assert [ipaddress.ip_address(a) for a in target.addresses] == [ipaddress.ip_address(public)]


@pytest.mark.parametrize(
    ("address", "ipv4"),
    [
        ("64:ff9b::a9fe:a9fe", ("169.254.169.254",)),
        ("2002:7f00:1::1", ("127.0.0.1",)),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", ("65.54.227.120", "10.0.0.1")),
        ("::ffff:c0a8:10a", ("192.168.1.10",)),
        ("::ffff:0:a00:1", ("10.0.0.1",)),
        ("::a00:1", ("10.0.0.1",)),
        ("2606:4700::1111", ()),
    ],
)
def test_the_ipv4_inside_is_found(address: str, ipv4: tuple[str, ...]) -> None:
    found = targets.embedded_ipv4(ipaddress.IPv6Address(address))
    assert tuple(str(a) for a in found) == ipv4


@pytest.mark.django_db
def test_a_nat64_address_of_a_private_network_is_refused_at_save(tenant_a: Any) -> None:
    with tenant_scope(tenant_a), pytest.raises(ServiceError) as refused:
        services.create_endpoint(tenant_a, SYSTEM, url="http://[64:ff9b::a00:1]/hook")
    assert refused.value.code == "private_address"
    assert "privates oder lokales Netz" in refused.value.messages[0]
    with scopes_disabled():
        assert not WebhookEndpoint.objects.exists()
