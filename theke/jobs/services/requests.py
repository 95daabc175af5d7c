"""Jobs customers start themselves, and the login they make from a job's link.

* `request_callback`: the public callback form on the tenant's page. The caller is found in
  the customer master only when it is certainly them (the same phone number or e-mail address
  *and* the same last name); anyone else becomes a new customer with a contact. A stranger who
  types someone's number therefore adds at most a request to that customer's jobs, and reads
  nothing of theirs.
* `park_request`: a logged-in customer parks a request ("Anfrage parken") on their Parkplatz.
* `register_account`: the customer sets a password for the job contact's e-mail address from
  the job's link and gets a customer login.

Both requests start on the tenant's default workflow (`default_workflow`), like jobs arriving
through the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from theke.accounts.models import CustomerAccount
from theke.accounts.services import customer_accounts
from theke.audit.models import ActorType
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers import services as customers
from theke.customers.duplicates import (
    DuplicateCriteria,
    DuplicateProbe,
    email_key,
    name_key,
    phone_key,
)
from theke.customers.models import Contact, Customer, CustomerKind, Vehicle
from theke.jobs.models import Job, Origin, Workflow
from theke.jobs.services.jobs import NewJob, Who, start_job
from theke.tenants import services as legal
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

TITLE_LENGTH = 80
MESSAGE_LENGTH = 2000


def default_workflow(tenant: Tenant) -> Workflow | None:
    """The workflow customers' own requests start on: the tenant's default, if published."""
    with tenant_scope(tenant):
        return (
            Workflow.objects.filter(
                tenant=tenant, is_default=True, is_active=True, published__isnull=False
            )
            .select_related("published")
            .first()
        )


def accepts_requests(tenant: Tenant) -> bool:
    """Whether customers can request a callback or park a request at this tenant now."""
    return bool(tenant.jobs_enabled) and default_workflow(tenant) is not None


def _workflow(tenant: Tenant) -> Workflow:
    workflow = default_workflow(tenant) if tenant.jobs_enabled else None
    if workflow is None:
        raise ServiceError(
            _(
                "Anfragen sind hier derzeit leider nicht möglich. Bitte rufen Sie uns an oder "
                "schreiben Sie uns eine E-Mail."
            ),
            None,
            code="closed",
        )
    return workflow


def _title(vehicle: str, message: str, fallback: str) -> str:
    """What the job is about, as staff and the phase messages name it."""
    if vehicle.strip():
        return vehicle.strip()[:TITLE_LENGTH]
    first_line = next((line.strip() for line in message.splitlines() if line.strip()), "")
    if len(first_line) > TITLE_LENGTH:
        first_line = first_line[: TITLE_LENGTH - 1].rstrip() + "…"
    return first_line or fallback


# --- the callback request -------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackRequest:
    """What the public callback form sends (the phone number already E.164)."""

    name: str
    phone: str
    email: str = ""
    message: str = ""
    vehicle: str = ""
    consent: bool = False
    terms_version: Any = None
    privacy_version: Any = None
    language: str = ""


def split_name(name: str) -> tuple[str, str]:
    """ "Eva Maria Berg" -> ("Eva Maria", "Berg"); a single word is the last name."""
    parts = name.split()
    if not parts:
        return "", ""
    return " ".join(parts[:-1]), parts[-1]


def _is_mobile(phone: str) -> bool:
    try:
        number = phonenumbers.parse(phone, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _same_person(contact: Contact, phone: str, email: str, last_name: str) -> bool:
    """The same phone number or e-mail address, and the same last name."""
    if name_key(contact.last_name) != name_key(last_name):
        return False
    phones = {phone_key(contact.mobile_phone), phone_key(contact.phone)} - {""}
    return phone_key(phone) in phones or bool(
        email and email_key(contact.email) == email_key(email)
    )


def find_requester(tenant: Tenant, name: str, phone: str, email: str) -> Contact | None:
    """The contact of the customer master who certainly sent this request, else None.

    The duplicate search finds the candidates; only a contact with the same phone number or
    e-mail address and the same last name counts (a similar name is for staff to judge)."""
    _first, last = split_name(name)
    probe = DuplicateProbe(first_name=_first, last_name=last, email=email, phone=phone)
    criteria = DuplicateCriteria(name_postcode=False, email=True, phone=True, vehicle=False)
    for candidate in customers.find_duplicate_customers(tenant, probe, criteria, limit=5):
        if candidate.customer is None:
            continue
        for contact in candidate.customer.contacts.all():
            if _same_person(contact, phone, email, last):
                contact.customer = candidate.customer
                return contact
    return None


def _new_requester(tenant: Tenant, actor: Actor, request: CallbackRequest) -> Contact:
    first, last = split_name(request.name)
    customer = customers.create_customer(
        tenant, actor, kind=CustomerKind.PERSON, first_name=first, last_name=last
    )
    phone_field = "mobile_phone" if _is_mobile(request.phone) else "phone"
    values: dict[str, Any] = {
        "first_name": first,
        "last_name": last,
        "email": request.email,
        phone_field: request.phone,
    }
    if request.language in {code for code, _label in settings.LANGUAGES}:
        values["language"] = request.language
    return customers.add_contact(customer, actor, **values)


def request_callback(tenant: Tenant, request: CallbackRequest) -> Job:
    """A callback request from the tenant's public page: the requester (found or new) and a
    job on the default workflow with their phone number and message, in one transaction.

    Refused (ServiceError) when the job manager takes no requests, a name or the phone number
    is missing, or the consent is not given (or the texts changed meanwhile)."""
    name = " ".join(request.name.split())
    if not name:
        raise ServiceError(_("Bitte geben Sie Ihren Namen an."), "name", code="required")
    if not request.phone:
        raise ServiceError(_("Bitte geben Sie Ihre Telefonnummer an."), "phone", code="required")
    actor = Actor(ActorType.CONTACT, label=name[:200])
    with tenant_scope(tenant), transaction.atomic():
        workflow = _workflow(tenant)
        consent = legal.check_consent(
            tenant,
            accepted=request.consent,
            terms_version=request.terms_version,
            privacy_version=request.privacy_version,
            field="consent",
        )
        contact = find_requester(tenant, name, request.phone, request.email)
        is_new = contact is None
        if contact is None:
            contact = _new_requester(tenant, actor, request)
        message = request.message.strip()[:MESSAGE_LENGTH]
        new = NewJob(
            customer=contact.customer,
            origin=Origin.CALLBACK,
            contact=contact,
            title=_title(request.vehicle, message, _("Rückrufwunsch")),
            callback_phone=request.phone,
            customer_message=message,
        )
        job = start_job(workflow, new, Who.customer(contact))
        record(
            tenant,
            actor,
            "job.callback_requested",
            job,
            {
                "customer": contact.customer_id,
                "new_customer": is_new,
                "terms_version": consent.terms_text.version if consent.terms_text else None,
                "privacy_version": consent.privacy_text.version if consent.privacy_text else None,
                "consented_at": consent.consented_at.isoformat(),
            },
        )
    return job


# --- a request parked by a logged-in customer -----------------------------------------------


def account_contact(account: CustomerAccount) -> Contact | None:
    """The contact of the account's customer with the account's e-mail, else the primary one."""
    with tenant_scope(account.tenant):
        contacts = Contact.objects.filter(customer_id=account.customer_id)
        return (
            contacts.filter(email__iexact=account.email).order_by("-is_primary", "pk").first()
            or contacts.order_by("-is_primary", "pk").first()
        )


def park_request(
    account: CustomerAccount,
    *,
    vehicle: Vehicle | None = None,
    vehicle_text: str = "",
    message: str = "",
    callback_phone: str = "",
) -> Job:
    """The customer parks a request on their Parkplatz: a job on the default workflow about
    one of their vehicles (or a vehicle they describe), with their message and number."""
    tenant = account.tenant
    message = message.strip()[:MESSAGE_LENGTH]
    if not message and vehicle is None and not vehicle_text.strip():
        raise ServiceError(_("Bitte schreiben Sie uns, worum es geht."), "message", code="required")
    with tenant_scope(tenant), transaction.atomic():
        workflow = _workflow(tenant)
        customer = Customer.objects.get(pk=account.customer_id)
        if vehicle is not None and vehicle.customer_id != customer.pk:
            raise ServiceError(_("Dieses Fahrzeug gibt es nicht."), "vehicle", code="vehicle")
        contact = account_contact(account)
        label = vehicle_text
        if vehicle is not None:
            label = " ".join(p for p in (vehicle.make, vehicle.model) if p) or vehicle.license_plate
        who = Who.customer(contact, account)
        new = NewJob(
            customer=customer,
            origin=Origin.PARKING,
            contact=contact,
            vehicle=vehicle,
            title=_title(label, message, _("Anfrage")),
            callback_phone=callback_phone,
            customer_message=message,
        )
        job = start_job(workflow, new, who)
        record(tenant, who.actor, "job.parked", job, {"account": account.pk})
    return job


# --- a customer login from the job's link ---------------------------------------------------


def register_account(
    job: Job, contact: Contact, *, password: str, first_name: str = "", last_name: str = ""
) -> CustomerAccount:
    """A customer login for the contact's e-mail address with this password (validated by the
    form), made from the job's link. Refused when the contact has no e-mail address or a login
    with it exists (code "duplicate": log in or reset the password instead)."""
    if contact.customer_id != job.customer_id or not contact.email:
        raise ServiceError(
            _("Für diesen Vorgang lässt sich kein Zugang anlegen."), None, code="no_email"
        )
    phone = str(contact.mobile_phone or contact.phone or "")
    with transaction.atomic():
        account = customer_accounts.create_customer_account(
            job.customer,
            Who.customer(contact).actor,
            email=contact.email,
            first_name=first_name or contact.first_name,
            last_name=last_name or contact.last_name,
            phone=phone,
        )
        return customer_accounts.set_customer_password(account, password, reason="set")
