"""The table of Django's database cache, made by a migration like every other table."""

from __future__ import annotations

from django.db import models

CACHE_TABLE = "theke_cache"


class CacheEntry(models.Model):
    """One entry of the database cache (`default` when THEKE_CACHE_URL is unset).

    The columns are those `manage.py createcachetable` would make; Django's DatabaseCache
    reads and writes them itself, Theke never queries this model. Declared as a model so that
    `migrate` makes the table on every database (SQLite, PostgreSQL, each test database) and
    the test runner's flush empties it between tests.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = CACHE_TABLE
        verbose_name = "cache entry"

    def __str__(self) -> str:
        return self.cache_key
