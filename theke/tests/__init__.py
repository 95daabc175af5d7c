"""Tests of the whole project across its domains (tenant isolation, dependency rules)."""
