"""The client's address: REMOTE_ADDR, or behind THEKE_PROXY_COUNT proxies the address the
outermost trusted proxy saw in X-Forwarded-For; normalised, "" when none is valid."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from theke.core.client import client_address

PROXY = "10.0.0.2"


def request(remote_addr: str = PROXY, forwarded: str | None = None) -> HttpRequest:
    made = RequestFactory().get("/", REMOTE_ADDR=remote_addr)
    if forwarded is not None:
        made.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return made


@override_settings(PROXY_COUNT=0)
def test_without_proxies_the_address_is_remote_addr_and_the_header_is_ignored():
    assert client_address(request("198.51.100.7")) == "198.51.100.7"
    assert client_address(request("198.51.100.7", forwarded="203.0.113.9")) == "198.51.100.7"


@override_settings(PROXY_COUNT=1)
def test_behind_one_proxy_the_last_forwarded_entry_is_the_client():
    assert client_address(request(forwarded="203.0.113.9")) == "203.0.113.9"


@override_settings(PROXY_COUNT=1)
def test_a_spoofed_left_part_of_the_header_is_ignored():
    # The client sent "X-Forwarded-For: 198.51.100.7, 192.0.2.1"; the proxy appended what it saw.
    forwarded = "198.51.100.7, 192.0.2.1,203.0.113.9"
    assert client_address(request(forwarded=forwarded)) == "203.0.113.9"


@override_settings(PROXY_COUNT=2)
def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client():
    forwarded = "198.51.100.7, 203.0.113.9, 10.0.0.5"
    assert client_address(request(forwarded=forwarded)) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", [None, "", " , ", "203.0.113.9"])
@override_settings(PROXY_COUNT=2)
def test_a_header_shorter_than_the_proxy_chain_falls_back_to_remote_addr(forwarded):
    # E.g. a request that reached the inner proxy (or the app) without passing the outer one.
    assert client_address(request("192.0.2.44", forwarded=forwarded)) == "192.0.2.44"


@override_settings(PROXY_COUNT=1)
def test_a_garbage_forwarded_entry_falls_back_to_remote_addr():
    assert client_address(request(forwarded="not-an-address")) == PROXY


@pytest.mark.parametrize("proxies", [0, 1])
@pytest.mark.parametrize("garbage", ["", "unknown", "999.1.1.1", "203.0.113", "<script>", "::g"])
def test_garbage_gives_an_empty_address(proxies, garbage):
    with override_settings(PROXY_COUNT=proxies):
        assert client_address(request(garbage, forwarded=garbage)) == ""


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("203.0.113.9:5555", "203.0.113.9"),
        ("  203.0.113.9  ", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("[::ffff:203.0.113.9]:8080", "203.0.113.9"),
        ("::1", "::1"),
    ],
)
def test_ports_brackets_and_ipv4_mapped_ipv6_are_normalised(raw, normalised):
    with override_settings(PROXY_COUNT=0):
        assert client_address(request(raw)) == normalised
    with override_settings(PROXY_COUNT=1):
        assert client_address(request(forwarded=f"198.51.100.7, {raw}")) == normalised
