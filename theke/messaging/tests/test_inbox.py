"""The staff inbox: who sees which note, read state, the views and the bell's badge."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.accounts.models import Membership, Role
from theke.audit.services import SYSTEM
from theke.messaging.context_processors import InboxBadge
from theke.messaging.models import InternalMessage, InternalMessageRead
from theke.messaging.services import inbox
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

pytestmark = pytest.mark.django_db


@pytest.fixture
def branches(tenant_a: Any) -> tuple[Any, Any]:
    return (
        create_branch(tenant_a, SYSTEM, "Alpha Nord"),
        create_branch(tenant_a, SYSTEM, "Alpha Süd"),
    )


def techniker(tenant: Any, email: str, branch: Any = None) -> Any:
    user = make_staff(tenant, email, email.split("@")[0].title(), "Techniker")
    if branch is not None:
        with scopes_disabled():
            Membership.objects.get(tenant=tenant, user=user).branches.add(branch)
    return user


def subjects(user: Any, tenant: Any) -> set[str]:
    with tenant_scope(tenant):
        return set(inbox.visible_messages(user, tenant).values_list("subject", flat=True))


def test_a_note_to_a_user_reaches_only_that_user(tenant_a, owner, colleague):
    with tenant_scope(tenant_a):
        inbox.notify_user(tenant_a, colleague, "KVA 4711 angenommen", "Bitte Teile bestellen.")
    assert subjects(colleague, tenant_a) == {"KVA 4711 angenommen"}
    assert subjects(owner, tenant_a) == set()


def test_a_note_to_a_role_reaches_every_member_of_that_role(tenant_a, owner, colleague):
    nord = techniker(tenant_a, "tina@alpha.test")
    sued = techniker(tenant_a, "tom@alpha.test")
    with tenant_scope(tenant_a):
        inbox.notify_role(tenant_a, "Techniker", "Neuer Auftrag", "")
    assert subjects(nord, tenant_a) == {"Neuer Auftrag"}
    assert subjects(sued, tenant_a) == {"Neuer Auftrag"}
    assert subjects(colleague, tenant_a) == set()  # Serviceberater
    assert subjects(owner, tenant_a) == set()  # Admin


def test_a_note_to_a_role_of_a_branch_reaches_its_members_and_the_unrestricted(tenant_a, branches):
    nord, sued = branches
    in_nord = techniker(tenant_a, "tina@alpha.test", nord)
    in_sued = techniker(tenant_a, "tom@alpha.test", sued)
    everywhere = techniker(tenant_a, "uwe@alpha.test")
    with tenant_scope(tenant_a):
        role = Role.objects.get(tenant=tenant_a, name="Techniker")
        inbox.notify_role(tenant_a, role, "Hebebühne Nord defekt", "", branch=nord)
    assert subjects(in_nord, tenant_a) == {"Hebebühne Nord defekt"}
    assert subjects(everywhere, tenant_a) == {"Hebebühne Nord defekt"}
    assert subjects(in_sued, tenant_a) == set()


def test_notes_of_another_tenant_stay_there(tenant_a, tenant_b, owner, outsider):
    with tenant_scope(tenant_b):
        inbox.notify_role(tenant_b, "Admin", "Nur für Beta", "")
    assert subjects(outsider, tenant_b) == {"Nur für Beta"}
    assert subjects(owner, tenant_a) == set()


def test_read_state_is_per_user(tenant_a):
    tina = techniker(tenant_a, "tina@alpha.test")
    tom = techniker(tenant_a, "tom@alpha.test")
    with tenant_scope(tenant_a):
        note = inbox.notify_role(tenant_a, "Techniker", "Neuer Auftrag", "")
        inbox.notify_user(tenant_a, tina, "Persönlich", "")
        assert inbox.unread_count(tina, tenant_a) == 2
        assert inbox.mark_read(note, tina) is True
        assert inbox.mark_read(note, tina) is False  # a second click changes nothing
        assert inbox.unread_count(tina, tenant_a) == 1
        assert inbox.unread_count(tom, tenant_a) == 1
        assert InternalMessageRead.objects.filter(message=note).count() == 1


def test_mark_all_read_marks_only_the_users_own_notes(tenant_a, owner, colleague):
    with tenant_scope(tenant_a):
        for number in range(3):
            inbox.notify_user(tenant_a, owner, f"Hinweis {number}", "")
        inbox.notify_user(tenant_a, colleague, "Für Carl", "")
        assert inbox.mark_all_read(owner, tenant_a) == 3
        assert inbox.mark_all_read(owner, tenant_a) == 0
        assert inbox.unread_count(owner, tenant_a) == 0
        assert inbox.unread_count(colleague, tenant_a) == 1


def test_the_unread_count_is_one_query(tenant_a, owner, django_assert_num_queries):
    with tenant_scope(tenant_a):
        inbox.notify_user(tenant_a, owner, "Eins", "")
        inbox.notify_role(tenant_a, "Admin", "Zwei", "")
        badge = InboxBadge(owner, tenant_a)
        with django_assert_num_queries(1):
            assert badge.label == "2"
            assert badge.count == 2


def test_the_bell_shows_the_count_and_links_to_the_inbox(owner_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        for number in range(3):
            inbox.notify_user(tenant_a, owner, f"Hinweis {number}", "")
    html = owner_client.get(reverse("core:dashboard")).content.decode()
    assert f'href="{reverse("messaging:inbox")}" id="notifications"' in html
    assert '<span class="position-absolute' in html
    assert 'id="notification-count">3</span>' in html


def test_the_bell_says_9_plus_above_nine(owner_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        for number in range(10):
            inbox.notify_user(tenant_a, owner, f"Hinweis {number}", "")
    html = owner_client.get(reverse("core:dashboard")).content.decode()
    assert 'id="notification-count">9+</span>' in html


def test_the_bell_has_no_badge_without_unread_notes(owner_client):
    html = owner_client.get(reverse("core:dashboard")).content.decode()
    assert 'id="notification-count"' not in html


def test_inbox_lists_newest_first_with_unread_in_bold(owner_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        old = inbox.notify_user(tenant_a, owner, "Älterer Hinweis", "")
        inbox.notify_user(tenant_a, owner, "Neuer Hinweis", "Mit Text")
        inbox.mark_read(old, owner)
    response = owner_client.get(reverse("messaging:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Neuer Hinweis") < html.index("Älterer Hinweis")
    assert 'fw-bold"><span class="visually-hidden">Ungelesen: </span>Neuer Hinweis' in html
    assert 'class="text-break">Älterer Hinweis' in html


def test_opening_a_note_marks_it_read_and_leads_to_the_object(owner_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        note = inbox.notify_user(
            tenant_a, owner, "KVA 4711 angenommen", "", url="/staff/customers/"
        )
    response = owner_client.get(reverse("messaging:inbox_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/staff/customers/"
    with tenant_scope(tenant_a):
        assert inbox.unread_count(owner, tenant_a) == 0


def test_a_note_without_a_safe_link_is_shown_instead(owner_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        note = inbox.notify_user(
            tenant_a, owner, "Seltsamer Link", "Text", url="https://evil.example/"
        )
    response = owner_client.get(reverse("messaging:inbox_open", args=[note.pk]))
    assert response.status_code == 200
    assert b"evil.example" not in response.content
    assert "Seltsamer Link" in response.content.decode()


def test_mark_all_read_button(owner_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        inbox.notify_user(tenant_a, owner, "Eins", "")
        inbox.notify_role(tenant_a, "Admin", "Zwei", "")
    html = owner_client.get(reverse("messaging:inbox")).content.decode()
    assert "Alle als gelesen markieren" in html
    response = owner_client.post(reverse("messaging:inbox_read_all"), follow=True)
    assert "2 Nachrichten als gelesen markiert." in response.content.decode()
    with tenant_scope(tenant_a):
        assert inbox.unread_count(owner, tenant_a) == 0


def test_a_note_of_somebody_else_answers_404(client, tenant_a, owner, colleague):
    with tenant_scope(tenant_a):
        note = inbox.notify_user(tenant_a, owner, "Nur für Olga", "")
    client.force_login(colleague)
    assert client.get(reverse("messaging:inbox_open", args=[note.pk])).status_code == 404
    with scopes_disabled():
        assert not InternalMessageRead.objects.exists()
        assert InternalMessage.objects.count() == 1


def test_inbox_needs_a_login(client):
    response = client.get(reverse("messaging:inbox"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
