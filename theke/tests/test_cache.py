"""Rate-limit counters are shared by every process: in the database by default, in Redis when
configured. Rendered pages stay in each process's memory unless Redis is configured."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from theke.core.models import CACHE_TABLE
from theke.settings import _caches

REDIS_URL = "redis://127.0.0.1:6379/15"


def test_default_configuration_keeps_counters_in_the_database_and_pages_per_process():
    if not settings.CACHE_URL:
        assert _caches("") == settings.CACHES
    with override_settings(CACHES=_caches("")):
        default = caches.create_connection("default")
        assert isinstance(default, DatabaseCache)
        assert default._table == CACHE_TABLE  # type: ignore[attr-defined]
        assert isinstance(caches.create_connection("estimate_pages"), LocMemCache)


@pytest.mark.django_db
@override_settings(CACHES=_caches(""))
def test_two_cache_clients_see_the_same_counter():
    first = caches.create_connection("default")
    second = caches.create_connection("default")  # as another process would have

    first.add("estimate-invalid:203.0.113.9", 0, 600)
    first.incr("estimate-invalid:203.0.113.9")
    second.incr("estimate-invalid:203.0.113.9")

    assert first.get("estimate-invalid:203.0.113.9") == 2
    assert second.get("estimate-invalid:203.0.113.9") == 2


def test_redis_holds_counters_and_pages_for_every_process():
    configured = _caches(REDIS_URL)
    assert {alias: entry["BACKEND"] for alias, entry in configured.items()} == {
        "default": "django.core.cache.backends.redis.RedisCache",
        "estimate_pages": "django.core.cache.backends.redis.RedisCache",
    }
    key = f"test-counter-{uuid.uuid4().hex}"
    with override_settings(CACHES=configured):
        first = caches.create_connection("default")
        second = caches.create_connection("default")
        assert isinstance(first, RedisCache)
        try:
            first.add(key, 0, 60)
            first.incr(key)
            second.incr(key)
            assert second.get(key) == 2
            # The two aliases do not share keys: evicting pages never touches a counter.
            assert caches.create_connection("estimate_pages").get(key) is None
        finally:
            first.delete(key)


def test_dummy_and_locmem_remain_available():
    with override_settings(CACHES=_caches("dummy://")):
        assert isinstance(caches.create_connection("default"), DummyCache)
        assert isinstance(caches.create_connection("estimate_pages"), DummyCache)
    with override_settings(CACHES=_caches("locmem://")):
        assert isinstance(caches.create_connection("default"), LocMemCache)
        assert isinstance(caches.create_connection("estimate_pages"), LocMemCache)


def test_unknown_cache_scheme_is_refused():
    with pytest.raises(ValueError, match="THEKE_CACHE_URL"):
        _caches("memcached://127.0.0.1:11211")
