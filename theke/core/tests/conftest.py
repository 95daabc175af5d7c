"""Fixtures of the browser tests here."""

from theke.core.tests.browser import open_page  # noqa: F401  # fixture of the browser tests
