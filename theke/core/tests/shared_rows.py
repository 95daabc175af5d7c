"""Rows built once for the tests of a module that only read them (Django's setUpTestData,
for pytest fixtures).

A module-scoped fixture builds expensive rows (a seeded demo, a portal world) inside a
transaction of its own: `yield from shared_rows(django_db_blocker, build)`. Each test of the
module that requests the fixture runs in pytest-django's usual transaction, nested inside as
a savepoint and rolled back at its end, so what a test changes is gone for the next one. After
the module's last test the shared transaction is rolled back: the next module starts empty.

While the shared transaction is open, only tests requesting the fixture may run: a test
without it would find the rows (or a transactional test would flush them). The root
conftest therefore runs the tests requesting a fixture named in `SHARED_ROW_FIXTURES` after
the other tests of their module (xdist keeps that order on each worker), and fails a test
that finds shared rows it did not ask for. A test that changes Python objects it got from
such a fixture must get copies: see `copied` (setUpTestData deep-copies in the same way).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction

# The module-scoped fixtures whose rows outlive a single test (see the module's docstring).
SHARED_ROW_FIXTURES = frozenset({"demo_rows", "world_rows"})

# The fixture whose shared transaction is open on this worker (None when none is).
_open: list[str] = []


def shared_rows[T](django_db_blocker: Any, name: str, build: Callable[[], T]) -> Iterator[T]:
    """Open a transaction, build the rows, hand out `build`'s result; roll back at the end."""
    assert name in SHARED_ROW_FIXTURES, name
    assert not _open, f"{name} inside the shared rows of {_open}"
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        # Like a TestCase's class-wide transaction: durable blocks inside stay allowed.
        atomic._from_testcase = True  # type: ignore[attr-defined]
        atomic.__enter__()
        try:
            value = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    _open.append(name)
    try:
        yield value
    finally:
        _open.remove(name)
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def open_shared_rows() -> list[str]:
    """The fixtures whose shared rows are in the database right now."""
    return list(_open)


def copied[T](value: T) -> T:
    """A deep copy of shared model instances for one test (its changes stay its own)."""
    return copy.deepcopy(value)
