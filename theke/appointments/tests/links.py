"""The lead's row of the shared customer-link suite (theke/tests/test_customer_links.py)."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.appointments.models import Lead
from theke.appointments.services import booking
from theke.customers import links as customer_links
from theke.customers.models import Customer, CustomerLink
from theke.messaging.models import OutboundMessage
from theke.tenants.models import Tenant
from theke.tests.link_cases import IssuedLink, LinkCase

from .booking_fixtures import booking_request, make_bookable


def issue(tenant: Tenant, customer: Customer, *, with_data: bool = True) -> IssuedLink:
    """A lead booked online by the customer's first contact; its link from the e-mail."""
    advisor = make_staff(tenant, "annehmer@alpha.test", "Anna Annehmer", "Serviceberater")
    setup = make_bookable(tenant, advisor)
    with scopes_disabled():
        contact = customer.contacts.first()
    assert contact is not None
    lead = booking.book(setup.branch, booking_request(setup, email=contact.email))
    with scopes_disabled():
        message = OutboundMessage.objects.get(purpose="booking_received", object_id=str(lead.pk))
        link = CustomerLink.objects.get(kind=booking.LINK_KIND, object_id=str(lead.uid))
    found = re.search(r"/anfrage/([A-Za-z0-9_-]+)/", message.body_text)
    assert found is not None
    token = found.group(1)
    # The lead becomes the customer's (as when staff take it over): the page speaks the
    # contact's language.
    customer_links.set_recipient(link, contact)
    return IssuedLink(link=link, token=token, path=f"/anfrage/{token}/")


def staff_path(issued: IssuedLink) -> str:
    with scopes_disabled():
        lead = Lead.objects.get(uid=issued.link.object_id)
    try:
        return reverse("appointments:lead_detail", args=[lead.pk])
    except NoReverseMatch:  # the lead manager's page: until it lands, the delivery log
        return "/staff/messages/deliveries/"


LEAD = LinkCase(kind="lead", issue=issue, shows="Ihre Terminanfrage", staff_path=staff_path)
