import pytest

from theke.core.tests.pdf_text import text_of
from theke.jobs.documents import DOCUMENTS, render
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def test_every_document_renders(world):
    job = world.start()
    with tenant_scope(world.tenant):
        for code in DOCUMENTS:
            assert render(job, code).startswith(b"%PDF")


def test_customer_documents_leave_out_staff_fields_the_archive_print_keeps_them(world):
    job = world.start()
    job.values.update(interne_notiz="Bonität prüfen", lieferadresse="Lindenweg 5, Potsdam")
    with tenant_scope(world.tenant):
        job.save(update_fields=["values"])
        handover = text_of(render(job, "handover"))
        summary = text_of(render(job, "summary"))
    assert "Lindenweg 5" in handover
    assert "Bonität" not in handover
    assert "Interne Notiz" not in handover
    assert "Bonität prüfen" in summary
