import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram index on PostgreSQL")
def test_postgresql_has_a_trigram_index_for_the_customer_search():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'customer_search_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
