import pytest

from theke.jobs.documents import DOCUMENTS, render
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def test_every_document_renders(world):
    job = world.start()
    with tenant_scope(world.tenant):
        for code in DOCUMENTS:
            assert render(job, code).startswith(b"%PDF")
