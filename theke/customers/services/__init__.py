"""State changes of the customer master, and the customer search.

Every function here runs in one transaction, locks the customer it changes, writes one
audit event per change (on the customer, so the customer's timeline tells its whole story)
and keeps `Customer.search_text` and the duplicate search's match keys current. Staff views
and the REST API both call these.
Refusals raise CustomerError, a ValidationError naming the field at fault.

A customer created, changed or deleted here, its contacts included, is one event on the
tenant's feed (`customer.created|updated|deleted`, see theke.audit.feed): one per call, and
none for a change that changes nothing. The `upsert_*` functions are the one path for
creating and updating by the back office's id, one item or a thousand; a refused item
changes nothing and does not stop the others.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber, to_python

from theke.audit.feed import emit_event
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers.models import (
    Article,
    Asset,
    Contact,
    Customer,
    CustomerKind,
    Location,
    Vehicle,
)
from theke.customers.services.duplicates import find_duplicate_customers
from theke.customers.services.match_keys import facts_of, write_match_keys
from theke.customers.validators import normalize_plate, normalize_vin, validate_vin
from theke.tenants.federal_states import resolve_state
from theke.tenants.models import Branch, Language, Tenant

__all__ = [
    "CustomerError",
    "Outcome",
    "add_asset",
    "add_contact",
    "add_location",
    "add_vehicle",
    "build_search_text",
    "create_article",
    "create_customer",
    "find_duplicate_customers",
    "rebuild_search_text",
    "reindex_customers",
    "remove_article",
    "remove_asset",
    "remove_contact",
    "remove_customer",
    "remove_location",
    "remove_vehicle",
    "search_customers",
    "search_words",
    "transfer_vehicle",
    "update_article",
    "update_asset",
    "update_contact",
    "update_customer",
    "update_location",
    "update_vehicle",
    "upsert_articles",
    "upsert_assets",
    "upsert_customers",
    "upsert_locations",
    "upsert_vehicles",
]

CUSTOMER_FIELDS = frozenset(
    {
        "kind",
        "number",
        "external_id",
        "company_name",
        "salutation",
        "first_name",
        "last_name",
        "branch",
        "notes",
    }
)
CONTACT_FIELDS = frozenset(
    {
        "salutation",
        "first_name",
        "last_name",
        "role",
        "email",
        "mobile_phone",
        "phone",
        "language",
        "is_primary",
        "consent_email",
        "consent_sms",
        "external_id",
    }
)
LOCATION_FIELDS = frozenset(
    {
        "name",
        "street",
        "postal_code",
        "city",
        "country",
        "state",
        "is_billing",
        "access_notes",
        "external_id",
    }
)
VEHICLE_FIELDS = frozenset(
    {
        "vin",
        "license_plate",
        "make",
        "model",
        "first_registration",
        "mileage_km",
        "external_id",
    }
)
ASSET_FIELDS = frozenset(
    {
        "location",
        "kind",
        "size",
        "container_type",
        "waste_type",
        "placed_on",
        "serial_number",
        "description",
        "external_id",
    }
)
ARTICLE_FIELDS = frozenset(
    {"number", "text", "unit", "price", "vat_rate", "is_special", "is_active", "external_id"}
)
FOREIGN_KEYS = frozenset({"branch", "location", "customer", "container_type", "waste_type"})
TEXT_FIELDS = frozenset(
    {
        "number",
        "external_id",
        "company_name",
        "salutation",
        "first_name",
        "last_name",
        "notes",
        "role",
        "email",
        "name",
        "street",
        "postal_code",
        "city",
        "country",
        "make",
        "model",
        "kind",
        "size",
        "serial_number",
        "description",
        "text",
        "unit",
    }
)
BOOLEAN_FIELDS = frozenset(
    {"is_primary", "consent_email", "consent_sms", "is_billing", "is_special", "is_active"}
)
CENT = Decimal("0.01")


class CustomerError(ServiceError):
    """A refused change of the customer master; `field` names the input at fault, or None."""


# Per item of an upsert: ("created"|"updated", the row), or the refusal.
Outcome = tuple[str, models.Model] | ServiceError


# --- helpers ------------------------------------------------------------------------------


def _check_fields(values: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _plain(value: Any) -> Any:
    """A JSON-friendly, comparable form of a field value for audit data."""
    if isinstance(value, PhoneNumber):
        return value.as_e164 if value.is_valid() else str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _phone(value: Any, field: str) -> PhoneNumber | str:
    if value in (None, ""):
        return ""
    number = to_python(value)
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        raise CustomerError(
            _("„%(value)s“ ist keine gültige Telefonnummer.") % {"value": value},
            field,
            "invalid_phone",
        )
    return number


# Article.price holds 12 digits with 2 decimals.
MAX_PRICE = Decimal("9999999999.99")


def _decimal(value: Any, field: str, maximum: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if value is not None else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CustomerError(_("Bitte geben Sie eine Zahl an."), field, "invalid_number")
    if number < 0:
        raise CustomerError(_("Der Wert darf nicht negativ sein."), field, "negative")
    if maximum is not None and number > maximum:
        raise CustomerError(
            _("Der Wert darf höchstens %(maximum)s sein.") % {"maximum": maximum},
            field,
            "too_large",
        )
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _normalize(values: Mapping[str, Any]) -> dict[str, Any]:
    """Strip text fields and coerce booleans; field-specific checks follow in each service."""
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "state":  # a federal state's code: "by" is "BY"
            clean[key] = _text(value).upper()
        elif key in TEXT_FIELDS:
            clean[key] = _text(value)
        elif key in BOOLEAN_FIELDS:
            clean[key] = bool(value)
        else:
            clean[key] = value
    return clean


def _assign(obj: models.Model, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the values on obj; return {field: [old, new]} for those that really changed."""
    changes: dict[str, list[Any]] = {}
    for key, new in values.items():
        if key in FOREIGN_KEYS:
            old_id = getattr(obj, f"{key}_id")
            new_id = new.pk if new is not None else None
            if old_id != new_id:
                old = getattr(obj, key)
                setattr(obj, key, new)
                changes[key] = [_plain(old), _plain(new)]
            continue
        old, plain_old, plain_new = getattr(obj, key), _plain(getattr(obj, key)), _plain(new)
        if plain_old == plain_new or (plain_old in (None, "") and plain_new in (None, "")):
            continue
        setattr(obj, key, new)
        changes[key] = [plain_old, plain_new]
    return changes


def _full_clean(obj: models.Model) -> None:
    """Model-level checks (lengths, choices); uniqueness is checked by the services."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise CustomerError(
            messages[0], None if field == NON_FIELD_ERRORS else field, "invalid"
        ) from exc


def _save(obj: models.Model, integrity_message: str, field: str) -> None:
    """Save; a unique constraint lost to a concurrent writer becomes a CustomerError."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise CustomerError(integrity_message, field, "duplicate") from exc


def _lock_customer(customer: Customer) -> Customer:
    """The customer row, locked; the scoped manager refuses customers of other tenants."""
    return Customer.objects.select_for_update().select_related("tenant").get(pk=customer.pk)


def _ref(obj: models.Model | None) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "label": str(obj)}


def _values_for_audit(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _plain(value) for key, value in values.items() if value not in (None, "")}


def _is_referenced(obj: models.Model) -> bool:
    """Whether any row of another model points at obj (e.g. an estimate line at an article)."""
    for relation in obj._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        related_model: Any = relation.related_model
        lookup = {relation.field.name: obj}
        if related_model._base_manager.filter(**lookup).exists():
            return True
    return False


# --- customers ----------------------------------------------------------------------------


def _clean_customer(tenant: Tenant, customer: Customer) -> None:
    if customer.kind not in CustomerKind.values:
        raise CustomerError(_("Unbekannte Kundenart."), "kind", "invalid_kind")
    if customer.kind == CustomerKind.COMPANY and not customer.company_name:
        raise CustomerError(
            _("Bitte geben Sie den Namen der Firma an."), "company_name", "required"
        )
    if customer.kind == CustomerKind.PERSON and not (customer.first_name or customer.last_name):
        raise CustomerError(_("Bitte geben Sie einen Namen an."), "last_name", "required")
    others = Customer.objects.filter(tenant=tenant).exclude(pk=customer.pk)
    if customer.number:
        other = others.filter(number=customer.number).first()
        if other is not None:
            raise CustomerError(
                _("Die Kundennummer %(number)s hat bereits „%(name)s“.")
                % {"number": customer.number, "name": other.display_name},
                "number",
                "duplicate",
            )
    if customer.external_id:
        other = others.filter(external_id=customer.external_id).first()
        if other is not None:
            raise CustomerError(
                _("Die ID %(external_id)s im Warenwirtschaftssystem hat bereits „%(name)s“.")
                % {"external_id": customer.external_id, "name": other.display_name},
                "external_id",
                "duplicate",
            )
    _full_clean(customer)


def _check_branch(tenant: Tenant, values: Mapping[str, Any]) -> None:
    branch = values.get("branch")
    if branch is not None and (not isinstance(branch, Branch) or branch.tenant_id != tenant.pk):
        raise CustomerError(_("Unbekannter Betrieb."), "branch", "invalid_branch")


def _emit(customer: Customer, type: str) -> None:
    """The customer's event on the feed, in the shape the API has always sent."""
    payload = {} if type == "customer.deleted" else {"number": customer.number}
    emit_event(
        customer.tenant,
        type,
        subject_type="customer",
        external_id=customer.external_id,
        payload=payload,
    )


@transaction.atomic
def create_customer(tenant: Tenant, actor: Actor, **values: Any) -> Customer:
    """Create a customer (person or company) with its search text."""
    customer = _create_customer(tenant, actor, values)
    _emit(customer, "customer.created")
    return customer


def _create_customer(tenant: Tenant, actor: Actor, values: Mapping[str, Any]) -> Customer:
    """create_customer without its event."""
    _check_fields(values, CUSTOMER_FIELDS)
    values = _normalize(values)
    _check_branch(tenant, values)
    customer = Customer(tenant=tenant, **values)
    _clean_customer(tenant, customer)
    _save(customer, _("Kundennummer oder ID sind bereits vergeben."), "number")
    record(tenant, actor, "customer.created", customer, {"values": _values_for_audit(values)})
    rebuild_search_text(customer)
    return customer


# The refusal of a new customer nobody could reach; forms show it beside e-mail and mobile.
UNREACHABLE = "unreachable"


def unreachable_message() -> str:
    return _(
        "Bitte geben Sie eine E-Mail-Adresse oder eine Mobilnummer an: ohne sie erreicht den "
        "Kunden keine Nachricht."
    )


@transaction.atomic
def register_customer(
    tenant: Tenant, actor: Actor, customer: Mapping[str, Any], contact: Mapping[str, Any]
) -> Customer:
    """A new customer with its first (primary) contact, as staff enter them: the contact
    needs an e-mail address or a mobile number, since a customer nobody can reach gets no
    estimate, reminder or appointment. A person has no company name (a value left in the
    hidden field is dropped); a company's person names are its contact person's."""
    values = dict(customer)
    if values.get("kind") != CustomerKind.COMPANY:
        values["company_name"] = ""
    if not (_text(contact.get("email")) or _text(contact.get("mobile_phone"))):
        raise CustomerError(unreachable_message(), None, UNREACHABLE)
    if not _text(contact.get("last_name")):
        raise CustomerError(_("Bitte geben Sie einen Nachnamen an."), "last_name", "required")
    created = _create_customer(tenant, actor, values)
    _add_contact(created, actor, contact)
    _emit(created, "customer.created")
    return created


@transaction.atomic
def update_customer(customer: Customer, actor: Actor, **values: Any) -> Customer:
    """Change the customer's master data; records only the fields that changed."""
    customer, changed = _update_customer(customer, actor, values)
    if changed:
        _emit(customer, "customer.updated")
    return customer


def _update_customer(
    customer: Customer, actor: Actor, values: Mapping[str, Any]
) -> tuple[Customer, bool]:
    """update_customer without its event: (the locked customer, whether anything changed)."""
    _check_fields(values, CUSTOMER_FIELDS)
    values = _normalize(values)
    customer = _lock_customer(customer)
    tenant = customer.tenant
    _check_branch(tenant, values)
    changes = _assign(customer, values)
    if not changes:
        return customer, False
    _clean_customer(tenant, customer)
    _save(customer, _("Kundennummer oder ID sind bereits vergeben."), "number")
    record(tenant, actor, "customer.updated", customer, {"changes": changes})
    rebuild_search_text(customer)
    return customer, True


OWN_CHILDREN = frozenset({"contacts", "locations", "assets", "match_keys"})


@transaction.atomic
def remove_customer(customer: Customer, actor: Actor) -> None:
    """Delete a customer with its contacts, locations and assets.

    Refused while it still keeps vehicles or anything else (orders, estimates) refers to it.
    """
    customer = _lock_customer(customer)
    if Vehicle.objects.filter(customer=customer).exists():
        raise CustomerError(
            _("Der Kunde hat noch Fahrzeuge; bitte zuerst entfernen oder übertragen."),
            None,
            "has_vehicles",
        )
    for relation in customer._meta.related_objects:
        if relation.get_accessor_name() in OWN_CHILDREN or not relation.one_to_many:
            continue
        related_model: Any = relation.related_model
        if related_model._base_manager.filter(**{relation.field.name: customer}).exists():
            raise CustomerError(
                _("Der Kunde wird noch verwendet und kann nicht gelöscht werden."),
                None,
                "referenced",
            )
    record(customer.tenant, actor, "customer.deleted", customer, {"label": str(customer)})
    _emit(customer, "customer.deleted")
    customer.delete()


# --- contacts -----------------------------------------------------------------------------


def _clean_contact_values(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("email"):
        email = values["email"]
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CustomerError(
                _("„%(value)s“ ist keine gültige E-Mail-Adresse.") % {"value": email},
                "email",
                "invalid_email",
            ) from exc
        local, _at, domain = email.rpartition("@")
        values["email"] = f"{local}@{domain.lower()}"
    for field in ("mobile_phone", "phone"):
        if field in values:
            values[field] = _phone(values[field], field)
    if "language" in values and values["language"] not in Language.values:
        raise CustomerError(_("Unbekannte Sprache."), "language", "invalid_language")
    return values


def _pop_consents(values: dict[str, Any]) -> dict[str, Any]:
    return {key: values.pop(key) for key in ("consent_email", "consent_sms") if key in values}


def _apply_consents(contact: Contact, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Switching a consent on stamps the moment; switching it off clears the stamp."""
    now = timezone.now()
    changes: dict[str, list[Any]] = {}
    for flag in ("consent_email", "consent_sms"):
        if flag not in values:
            continue
        stamp_field = f"{flag}_at"
        old_flag = getattr(contact, flag)
        old_stamp = getattr(contact, stamp_field)
        new_flag = values[flag]
        new_stamp = (old_stamp or now) if new_flag and old_flag else (now if new_flag else None)
        if old_flag != new_flag:
            changes[flag] = [old_flag, new_flag]
        if old_stamp != new_stamp:
            changes[stamp_field] = [_plain(old_stamp), _plain(new_stamp)]
        setattr(contact, flag, new_flag)
        setattr(contact, stamp_field, new_stamp)
    return changes


def _make_only_primary(contact: Contact) -> None:
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
            pk=contact.pk
        ).update(is_primary=False)


@transaction.atomic
def add_contact(customer: Customer, actor: Actor, **values: Any) -> Contact:
    """Add a contact person; the customer's first contact becomes the primary one."""
    contact = _add_contact(customer, actor, values)
    _emit(contact.customer, "customer.updated")
    return contact


def _add_contact(customer: Customer, actor: Actor, values: Mapping[str, Any]) -> Contact:
    _check_fields(values, CONTACT_FIELDS)
    values = _clean_contact_values(_normalize(values))
    customer = _lock_customer(customer)
    consents = _pop_consents(values)
    contact = Contact(tenant=customer.tenant, customer=customer, **values)
    if not customer.contacts.exists():
        contact.is_primary = True
    _apply_consents(contact, consents)
    if not contact.last_name:
        raise CustomerError(_("Bitte geben Sie einen Nachnamen an."), "last_name", "required")
    _full_clean(contact)
    contact.save()
    _make_only_primary(contact)
    audit_values = _values_for_audit(values) | _values_for_audit(consents)
    data = {"id": contact.pk, "label": str(contact), "values": audit_values}
    record(customer.tenant, actor, "contact.added", customer, data)
    rebuild_search_text(customer)
    return contact


@transaction.atomic
def update_contact(contact: Contact, actor: Actor, **values: Any) -> Contact:
    """Change a contact; consent switches stamp or clear their timestamps."""
    contact, changed = _update_contact(contact, actor, values)
    if changed:
        _emit(contact.customer, "customer.updated")
    return contact


def _update_contact(
    contact: Contact, actor: Actor, values: Mapping[str, Any]
) -> tuple[Contact, bool]:
    _check_fields(values, CONTACT_FIELDS)
    values = _clean_contact_values(_normalize(values))
    customer = _lock_customer(contact.customer)
    contact = Contact.objects.select_for_update().get(pk=contact.pk, customer=customer)
    consents = _pop_consents(values)
    contact.customer = customer  # the locked row with its tenant, for the event
    changes = _assign(contact, values)
    changes.update(_apply_consents(contact, consents))
    if not changes:
        return contact, False
    if not contact.last_name:
        raise CustomerError(_("Bitte geben Sie einen Nachnamen an."), "last_name", "required")
    _full_clean(contact)
    contact.save()
    _make_only_primary(contact)
    data = {"id": contact.pk, "label": str(contact), "changes": changes}
    record(customer.tenant, actor, "contact.updated", customer, data)
    rebuild_search_text(customer)
    return contact, True


@transaction.atomic
def remove_contact(contact: Contact, actor: Actor) -> None:
    """Delete a contact person."""
    _emit(_remove_contact(contact, actor), "customer.updated")


def _remove_contact(contact: Contact, actor: Actor) -> Customer:
    """remove_contact without its event; returns the locked customer."""
    customer = _lock_customer(contact.customer)
    contact = Contact.objects.select_for_update().get(pk=contact.pk, customer=customer)
    data = {"id": contact.pk, "label": str(contact)}
    contact.delete()
    record(customer.tenant, actor, "contact.removed", customer, data)
    rebuild_search_text(customer)
    return customer


# --- locations ----------------------------------------------------------------------------


def _clean_location(
    location: Location, stored_postal_code: str | None = None, stored_state: str | None = None
) -> None:
    location.country = location.country.upper()
    # The federal state as given, else (or after a move) from the postcode; editable.
    location.state = resolve_state(
        location.postal_code,
        location.state,
        country=location.country,
        stored_postal_code=stored_postal_code,
        stored_state=stored_state,
    )
    for field, message in (
        ("street", _("Bitte geben Sie Straße und Hausnummer an.")),
        ("postal_code", _("Bitte geben Sie die Postleitzahl an.")),
        ("city", _("Bitte geben Sie den Ort an.")),
    ):
        if not getattr(location, field):
            raise CustomerError(message, field, "required")
    _full_clean(location)


def _make_only_billing(location: Location) -> None:
    if location.is_billing:
        Location.objects.filter(customer_id=location.customer_id, is_billing=True).exclude(
            pk=location.pk
        ).update(is_billing=False)


@transaction.atomic
def add_location(customer: Customer, actor: Actor, **values: Any) -> Location:
    """Add an address (site) of the customer; at most one is the billing address."""
    _check_fields(values, LOCATION_FIELDS)
    values = _normalize(values)
    customer = _lock_customer(customer)
    location = Location(tenant=customer.tenant, customer=customer, **values)
    _clean_location(location)
    location.save()
    _make_only_billing(location)
    data = {"id": location.pk, "label": str(location), "values": _values_for_audit(values)}
    record(customer.tenant, actor, "location.added", customer, data)
    rebuild_search_text(customer)
    return location


@transaction.atomic
def update_location(location: Location, actor: Actor, **values: Any) -> Location:
    """Change an address of the customer."""
    _check_fields(values, LOCATION_FIELDS)
    values = _normalize(values)
    customer = _lock_customer(location.customer)
    location = Location.objects.select_for_update().get(pk=location.pk, customer=customer)
    stored_postal_code, stored_state = location.postal_code, location.state
    changes = _assign(location, values)
    if not changes and (location.state or not location.postal_code):
        return location
    _clean_location(location, stored_postal_code, stored_state)
    if location.state != stored_state and "state" not in changes:
        changes["state"] = [stored_state, location.state]
    if not changes:
        return location
    location.save()
    _make_only_billing(location)
    data = {"id": location.pk, "label": str(location), "changes": changes}
    record(customer.tenant, actor, "location.updated", customer, data)
    rebuild_search_text(customer)
    return location


@transaction.atomic
def remove_location(location: Location, actor: Actor) -> None:
    """Delete an address; assets there stay with the customer, without a location."""
    customer = _lock_customer(location.customer)
    location = Location.objects.select_for_update().get(pk=location.pk, customer=customer)
    data = {"id": location.pk, "label": str(location)}
    location.delete()
    record(customer.tenant, actor, "location.removed", customer, data)
    rebuild_search_text(customer)


# --- vehicles -----------------------------------------------------------------------------


def _clean_vehicle_values(values: dict[str, Any]) -> dict[str, Any]:
    if "vin" in values:
        vin = normalize_vin(_text(values["vin"]))
        if vin:
            try:
                validate_vin(vin)
            except ValidationError as exc:
                raise CustomerError(exc.messages[0], "vin", exc.code or "invalid_vin") from exc
        values["vin"] = vin
    if "license_plate" in values:
        values["license_plate"] = normalize_plate(_text(values["license_plate"]))
    if "mileage_km" in values:
        mileage = values["mileage_km"]
        if mileage in (None, ""):
            values["mileage_km"] = None
        else:
            try:
                values["mileage_km"] = int(mileage)
            except (TypeError, ValueError):
                values["mileage_km"] = -1
            if values["mileage_km"] < 0:
                raise CustomerError(
                    _("Bitte geben Sie den Kilometerstand als ganze Zahl an."),
                    "mileage_km",
                    "invalid_mileage",
                )
    if "first_registration" in values:
        first = values["first_registration"]
        if first in (None, ""):
            values["first_registration"] = None
        elif not isinstance(first, datetime.date):
            parsed = parse_date(str(first)) if isinstance(first, str) else None
            if parsed is None:
                raise CustomerError(
                    _("Bitte geben Sie das Datum der Erstzulassung an (JJJJ-MM-TT)."),
                    "first_registration",
                    "invalid_date",
                )
            values["first_registration"] = parsed
    return values


def _vin_owner_message(vin: str, other: Vehicle) -> str:
    if other.customer is None:
        return _("Die FIN %(vin)s ist bereits für ein Fahrzeug ohne Halter erfasst.") % {"vin": vin}
    owner = other.customer
    name = owner.display_name + (f" ({owner.number})" if owner.number else "")
    return _(
        "Die FIN %(vin)s ist bereits beim Kunden „%(name)s“ erfasst. "
        "Nutzen Sie dort „Halter wechseln“, wenn das Fahrzeug den Halter gewechselt hat."
    ) % {"vin": vin, "name": name}


def _clean_vehicle(vehicle: Vehicle) -> None:
    if not (vehicle.vin or vehicle.license_plate):
        raise CustomerError(
            _("Bitte geben Sie ein Kennzeichen oder eine FIN an."), "license_plate", "required"
        )
    if vehicle.vin:
        other = (
            Vehicle.objects.filter(tenant_id=vehicle.tenant_id, vin=vehicle.vin)
            .exclude(pk=vehicle.pk)
            .select_related("customer")
            .first()
        )
        if other is not None:
            raise CustomerError(_vin_owner_message(vehicle.vin, other), "vin", "duplicate_vin")
    _full_clean(vehicle)


@transaction.atomic
def add_vehicle(customer: Customer, actor: Actor, **values: Any) -> Vehicle:
    """Add a vehicle; the VIN is normalised, checked and must be new within the tenant.

    A vehicle already known by its VIN but without a keeper is taken over instead.
    """
    _check_fields(values, VEHICLE_FIELDS)
    values = _clean_vehicle_values(_normalize(values))
    customer = _lock_customer(customer)
    vin = values.get("vin", "")
    orphan = (
        Vehicle.objects.select_for_update()
        .filter(tenant=customer.tenant, vin=vin, customer__isnull=True)
        .first()
        if vin
        else None
    )
    vehicle = orphan or Vehicle(tenant=customer.tenant)
    for key, value in values.items():
        setattr(vehicle, key, value)
    vehicle.customer = customer
    _clean_vehicle(vehicle)
    _save(vehicle, _("Die FIN %(vin)s ist bereits erfasst.") % {"vin": vin}, "vin")
    data = {"id": vehicle.pk, "label": str(vehicle), "values": _values_for_audit(values)}
    if orphan is not None:
        data["taken_over"] = True
    record(customer.tenant, actor, "vehicle.added", customer, data)
    rebuild_search_text(customer)
    return vehicle


@transaction.atomic
def update_vehicle(vehicle: Vehicle, actor: Actor, **values: Any) -> Vehicle:
    """Change a vehicle's data (use transfer_vehicle to change its keeper)."""
    _check_fields(values, VEHICLE_FIELDS)
    values = _clean_vehicle_values(_normalize(values))
    if vehicle.customer is None:
        raise CustomerError(_("Das Fahrzeug hat keinen Halter."), None, "no_keeper")
    customer = _lock_customer(vehicle.customer)
    vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk, customer=customer)
    changes = _assign(vehicle, values)
    if not changes:
        return vehicle
    _clean_vehicle(vehicle)
    _save(vehicle, _("Die FIN %(vin)s ist bereits erfasst.") % {"vin": vehicle.vin}, "vin")
    data = {"id": vehicle.pk, "label": str(vehicle), "changes": changes}
    record(customer.tenant, actor, "vehicle.updated", customer, data)
    rebuild_search_text(customer)
    return vehicle


@transaction.atomic
def transfer_vehicle(vehicle: Vehicle, actor: Actor, new_customer: Customer) -> Vehicle:
    """Give the vehicle a new keeper; both customers' timelines record the change."""
    if new_customer.tenant_id != vehicle.tenant_id:
        raise CustomerError(_("Unbekannter Kunde."), "customer", "invalid_customer")
    # Lock both customers in id order first, so two opposite transfers cannot deadlock.
    ids = sorted({pk for pk in (vehicle.customer_id, new_customer.pk) if pk is not None})
    locked = {pk: _lock_customer(Customer(pk=pk)) for pk in ids}
    vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    old_customer = locked.get(vehicle.customer_id) if vehicle.customer_id else None
    new_customer = locked[new_customer.pk]
    if old_customer is not None and old_customer.pk == new_customer.pk:
        return vehicle
    vehicle.customer = new_customer
    vehicle.save(update_fields=["customer"])
    data = {
        "id": vehicle.pk,
        "label": str(vehicle),
        "from": _ref(old_customer),
        "to": _ref(new_customer),
    }
    for customer in (old_customer, new_customer):
        if customer is not None:
            record(customer.tenant, actor, "vehicle.owner_changed", customer, data)
            rebuild_search_text(customer)
    return vehicle


@transaction.atomic
def remove_vehicle(vehicle: Vehicle, actor: Actor) -> bool:
    """Delete a vehicle; one referenced elsewhere is only detached from its keeper.

    Returns True when the row was deleted.
    """
    if vehicle.customer is None:
        raise CustomerError(_("Das Fahrzeug hat keinen Halter."), None, "no_keeper")
    customer = _lock_customer(vehicle.customer)
    vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk, customer=customer)
    data: dict[str, Any] = {"id": vehicle.pk, "label": str(vehicle)}
    deleted = not _is_referenced(vehicle)
    if deleted:
        vehicle.delete()
    else:
        vehicle.customer = None
        vehicle.save(update_fields=["customer"])
        data["kept"] = True
    record(customer.tenant, actor, "vehicle.removed", customer, data)
    rebuild_search_text(customer)
    return deleted


# --- assets -------------------------------------------------------------------------------


def _clean_asset(asset: Asset, customer: Customer) -> None:
    if asset.location is not None and asset.location.customer_id != customer.pk:
        raise CustomerError(
            _("Der Standort gehört nicht zu diesem Kunden."), "location", "foreign_location"
        )
    for field in ("container_type", "waste_type"):
        row = getattr(asset, field)
        if row is not None and row.tenant_id != customer.tenant_id:
            raise CustomerError(_("Unbekannter Eintrag."), field, "foreign")
    if not asset.kind and asset.container_type is None:
        raise CustomerError(
            _("Bitte geben Sie den Typ oder einen Behältertyp an."), "kind", "required"
        )
    _full_clean(asset)


@transaction.atomic
def add_asset(customer: Customer, actor: Actor, **values: Any) -> Asset:
    """Add an asset (e.g. a container) at one of the customer's own locations."""
    _check_fields(values, ASSET_FIELDS)
    values = _normalize(values)
    customer = _lock_customer(customer)
    asset = Asset(tenant=customer.tenant, customer=customer, **values)
    _clean_asset(asset, customer)
    asset.save()
    data = {"id": asset.pk, "label": str(asset), "values": _values_for_audit(values)}
    record(customer.tenant, actor, "asset.added", customer, data)
    return asset


@transaction.atomic
def update_asset(asset: Asset, actor: Actor, **values: Any) -> Asset:
    """Change an asset; its location must stay one of the customer's."""
    _check_fields(values, ASSET_FIELDS)
    values = _normalize(values)
    customer = _lock_customer(asset.customer)
    asset = Asset.objects.select_for_update().get(pk=asset.pk, customer=customer)
    changes = _assign(asset, values)
    if not changes:
        return asset
    _clean_asset(asset, customer)
    asset.save()
    data = {"id": asset.pk, "label": str(asset), "changes": changes}
    record(customer.tenant, actor, "asset.updated", customer, data)
    return asset


@transaction.atomic
def remove_asset(asset: Asset, actor: Actor) -> None:
    """Delete an asset."""
    customer = _lock_customer(asset.customer)
    asset = Asset.objects.select_for_update().get(pk=asset.pk, customer=customer)
    data = {"id": asset.pk, "label": str(asset)}
    asset.delete()
    record(customer.tenant, actor, "asset.removed", customer, data)


# --- articles -----------------------------------------------------------------------------


def _clean_article_values(values: dict[str, Any]) -> dict[str, Any]:
    if "price" in values:
        values["price"] = _decimal(values["price"], "price", MAX_PRICE)
    if "vat_rate" in values:
        values["vat_rate"] = _decimal(values["vat_rate"], "vat_rate", Decimal(100))
    return values


def _clean_article(article: Article) -> None:
    if not article.number:
        raise CustomerError(_("Bitte geben Sie eine Artikelnummer an."), "number", "required")
    if not article.text:
        raise CustomerError(_("Bitte geben Sie eine Bezeichnung an."), "text", "required")
    other = (
        Article.objects.filter(tenant_id=article.tenant_id, number=article.number)
        .exclude(pk=article.pk)
        .first()
    )
    if other is not None:
        message = _("Die Artikelnummer %(number)s ist bereits vergeben (%(text)s).")
        if not other.is_active:
            message = _(
                "Die Artikelnummer %(number)s hat bereits ein inaktiver Artikel (%(text)s)."
            )
        raise CustomerError(
            message % {"number": article.number, "text": other.text}, "number", "duplicate"
        )
    _full_clean(article)


def _article_number_taken(article: Article) -> str:
    return _("Die Artikelnummer %(number)s ist bereits vergeben.") % {"number": article.number}


@transaction.atomic
def create_article(tenant: Tenant, actor: Actor, **values: Any) -> Article:
    """Create an article or flat fee (is_special); the number is unique per tenant."""
    _check_fields(values, ARTICLE_FIELDS)
    values = _clean_article_values(_normalize(values))
    article = Article(tenant=tenant, **values)
    _clean_article(article)
    _save(article, _article_number_taken(article), "number")
    record(tenant, actor, "article.created", article, {"values": _values_for_audit(values)})
    return article


@transaction.atomic
def update_article(article: Article, actor: Actor, **values: Any) -> Article:
    """Change an article; is_active=False takes it out of new documents."""
    _check_fields(values, ARTICLE_FIELDS)
    values = _clean_article_values(_normalize(values))
    article = Article.objects.select_for_update().select_related("tenant").get(pk=article.pk)
    changes = _assign(article, values)
    if not changes:
        return article
    _clean_article(article)
    _save(article, _article_number_taken(article), "number")
    record(article.tenant, actor, "article.updated", article, {"changes": changes})
    return article


@transaction.atomic
def remove_article(article: Article, actor: Actor) -> bool:
    """Delete an article nobody refers to; a referenced one is deactivated instead.

    Returns True when the row was deleted.
    """
    article = Article.objects.select_for_update().select_related("tenant").get(pk=article.pk)
    tenant = article.tenant
    if _is_referenced(article):
        if article.is_active:
            article.is_active = False
            article.save(update_fields=["is_active"])
            record(tenant, actor, "article.deactivated", article, {"label": str(article)})
        return False
    record(tenant, actor, "article.deleted", article, {"label": str(article)})
    article.delete()
    return True


# --- create or update by the back office's id -------------------------------------------

Items = Sequence[tuple[str, Mapping[str, Any]]]


def _upsert_each(
    items: Items, upsert_one: Callable[[str, dict[str, Any]], tuple[str, Any]]
) -> list[Outcome]:
    """Each item in its own savepoint, so a refused one leaves nothing behind."""
    outcomes: list[Outcome] = []
    for external_id, values in items:
        try:
            with transaction.atomic():
                outcomes.append(upsert_one(external_id, dict(values)))
        except ServiceError as exc:
            outcomes.append(exc)
    return outcomes


def _stored[M: models.Model](queryset: QuerySet[M], tenant: Tenant, external_id: str) -> M | None:
    # Ids of locations, vehicles … need not be unique: the oldest row answers to it.
    return queryset.filter(tenant=tenant, external_id=external_id).order_by("pk").first()


@transaction.atomic
def upsert_customers(tenant: Tenant, actor: Actor, items: Items) -> list[Outcome]:
    """Create or update customers by external id: per item ("created"|"updated", customer) or
    the CustomerError that refused it.

    `contacts`, when given, is the complete list: contacts are matched by their own
    external_id and updated in place, the others are removed, contacts without one are
    replaced. A refused contact names its place, e.g. the field "contacts.2.email". Each
    item is one event: customer.created, or customer.updated, which the back office has
    always received for every accepted update, also one that changed nothing.
    """

    def upsert_one(external_id: str, values: dict[str, Any]) -> tuple[str, Customer]:
        contacts = values.pop("contacts", None)
        customer = _stored(Customer.objects.all(), tenant, external_id)
        if customer is None:
            customer = create_customer(tenant, actor, external_id=external_id, **values)
            created = True
        else:
            customer, _changed = _update_customer(customer, actor, values)
            created = False
        if contacts is not None:
            _sync_contacts(customer, actor, contacts)
        if not created:
            _emit(customer, "customer.updated")
        return ("created" if created else "updated"), customer

    with _index_at_end():
        return _upsert_each(items, upsert_one)


def _sync_contacts(customer: Customer, actor: Actor, contacts: Sequence[Mapping[str, Any]]) -> None:
    """Make `contacts` the customer's complete list of contacts (see upsert_customers)."""
    stored = list(Contact.objects.filter(customer=customer).order_by("pk"))
    by_id = {c.external_id: c for c in stored if c.external_id}
    kept: set[int] = set()
    for index, values in enumerate(contacts):
        contact = by_id.get(values.get("external_id") or "")
        try:
            if contact is None:
                contact = _add_contact(customer, actor, values)
            else:
                contact, _changed = _update_contact(contact, actor, values)
        except ServiceError as exc:
            place = f"contacts.{index}"
            field = f"{place}.{exc.field}" if exc.field else place
            raise CustomerError(exc.messages[0], field, exc.code) from exc
        kept.add(contact.pk)
    for contact in stored:
        if contact.pk not in kept:
            _remove_contact(contact, actor)


def _immutable_customer(what: str) -> CustomerError:
    # Only the API can ask for this (the staff forms have no customer field), and its answer
    # has always been this English sentence.
    return CustomerError(f"{what} cannot move to another customer.", "customer", "immutable")


@transaction.atomic
def upsert_locations(tenant: Tenant, actor: Actor, items: Items) -> list[Outcome]:
    """Create or update locations by external id (see upsert_customers); the values name
    the `customer`, which a stored location keeps (refused: "immutable")."""

    def upsert_one(external_id: str, values: dict[str, Any]) -> tuple[str, Location]:
        customer = values.pop("customer")
        location = _stored(Location.objects.select_related("customer"), tenant, external_id)
        if location is None:
            return "created", add_location(customer, actor, external_id=external_id, **values)
        if location.customer_id != customer.pk:
            raise _immutable_customer("A location")
        return "updated", update_location(location, actor, **values)

    with _index_at_end():
        return _upsert_each(items, upsert_one)


@transaction.atomic
def upsert_vehicles(tenant: Tenant, actor: Actor, items: Items) -> list[Outcome]:
    """Create or update vehicles by external id (see upsert_customers); another `customer`
    than the stored keeper transfers the vehicle to it."""

    def upsert_one(external_id: str, values: dict[str, Any]) -> tuple[str, Vehicle]:
        customer = values.pop("customer")
        vehicle = _stored(Vehicle.objects.select_related("customer"), tenant, external_id)
        if vehicle is None:
            return "created", add_vehicle(customer, actor, external_id=external_id, **values)
        if vehicle.customer_id != customer.pk:
            vehicle = transfer_vehicle(vehicle, actor, customer)
        return "updated", update_vehicle(vehicle, actor, **values)

    with _index_at_end():
        return _upsert_each(items, upsert_one)


@transaction.atomic
def upsert_assets(tenant: Tenant, actor: Actor, items: Items) -> list[Outcome]:
    """Create or update assets by external id (see upsert_customers); the values name the
    `customer`, which a stored asset keeps (refused: "immutable")."""

    def upsert_one(external_id: str, values: dict[str, Any]) -> tuple[str, Asset]:
        customer = values.pop("customer")
        asset = _stored(Asset.objects.select_related("customer", "location"), tenant, external_id)
        if asset is None:
            return "created", add_asset(customer, actor, external_id=external_id, **values)
        if asset.customer_id != customer.pk:
            raise _immutable_customer("An asset")
        return "updated", update_asset(asset, actor, **values)

    return _upsert_each(items, upsert_one)


@transaction.atomic
def upsert_articles(tenant: Tenant, actor: Actor, items: Items) -> list[Outcome]:
    """Create or update articles and flat fees by external id (see upsert_customers)."""

    def upsert_one(external_id: str, values: dict[str, Any]) -> tuple[str, Article]:
        article = _stored(Article.objects.all(), tenant, external_id)
        if article is None:
            return "created", create_article(tenant, actor, external_id=external_id, **values)
        return "updated", update_article(article, actor, **values)

    return _upsert_each(items, upsert_one)


# --- search -------------------------------------------------------------------------------

PHONE_QUERY = re.compile(r"^[\d\s+()/.-]+$")
PHONE_WORD = re.compile(r"^\+?[\d()/.-]+$")
MIN_PHONE_DIGITS = 6
WORD_PUNCTUATION = ",;:\"'„“”()"


def _phone_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value.replace("(0)", ""))
    return digits[2:] if digits.startswith("00") else digits


def _is_phone_like(value: str, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.match(value)) and sum(ch.isdigit() for ch in value) >= MIN_PHONE_DIGITS


def search_words(query: str) -> list[str]:
    """Split a search query into lower-cased words; phone numbers become bare digits."""
    query = (query or "").strip().lower()
    if not query:
        return []
    if _is_phone_like(query, PHONE_QUERY):
        return [_phone_digits(query)]
    words = []
    for raw in query.split():
        word = raw.strip(WORD_PUNCTUATION)
        if not word:
            continue
        words.append(_phone_digits(word) if _is_phone_like(word, PHONE_WORD) else word)
    return words


def search_customers(query: str) -> QuerySet[Customer]:
    """Customers of the current tenant matching every word of the query.

    One LIKE per word on `search_text`. A leading-wildcard LIKE cannot use a B-tree index:
    it scans the tenant's customers, which is fine up to ~100k rows. Beyond that, add a
    trigram index on PostgreSQL (`CREATE EXTENSION pg_trgm; CREATE INDEX … USING gin
    (search_text gin_trgm_ops)`), which serves these LIKEs unchanged.
    """
    customers = Customer.objects.all()
    for word in search_words(query):
        customers = customers.filter(search_text__contains=word)
    return customers


def search_articles(
    tenant: Tenant, query: str, *, include_inactive: bool = False
) -> QuerySet[Article]:
    """The tenant's articles whose number or text contains every word of the query (active
    ones only, unless asked); an exact article number comes first, then by number."""
    articles = Article.objects.filter(tenant=tenant)
    if not include_inactive:
        articles = articles.filter(is_active=True)
    words = (query or "").split()
    for word in words:
        articles = articles.filter(Q(number__icontains=word) | Q(text__icontains=word))
    exact = Q(number__iexact=query.strip()) if words else Q(pk__in=[])
    return articles.annotate(
        exact=Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("exact", "number")


def _phone_tokens(value: Any) -> list[str]:
    if not isinstance(value, PhoneNumber) or not value.is_valid():
        return [re.sub(r"\D", "", str(value))] if value else []
    national = phonenumbers.format_number(value, phonenumbers.PhoneNumberFormat.NATIONAL)
    return [value.as_e164.lstrip("+"), re.sub(r"\D", "", national)]


def _compact(value: str) -> str:
    return re.sub(r"[\W_]", "", value)


def _plate_tokens(plate: str) -> list[str]:
    plate = plate.lower()
    return [plate, plate.replace(" ", ""), plate.replace("-", " "), _compact(plate)]


def _dedupe(tokens: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for token in tokens:
        token = token.strip().lower()
        if token:
            seen.setdefault(token, None)
    return list(seen)


def _search_text(
    customer: Customer,
    contacts: Iterable[Contact],
    locations: Iterable[Location],
    vehicles: Iterable[Vehicle],
) -> str:
    tokens: list[str] = [
        customer.display_name,
        customer.company_name,
        f"{customer.first_name} {customer.last_name}",
    ]
    for code in (customer.number, customer.external_id):
        tokens += [code, _compact(code.lower())]
    for contact in contacts:
        tokens += [f"{contact.first_name} {contact.last_name}", contact.email]
        tokens += _phone_tokens(contact.mobile_phone) + _phone_tokens(contact.phone)
    for location in locations:
        tokens += [location.name, location.street, f"{location.postal_code} {location.city}"]
    for vehicle in vehicles:
        tokens += [*_plate_tokens(vehicle.license_plate), vehicle.vin]
        tokens += [f"{vehicle.make} {vehicle.model}"]
    return "\n".join(_dedupe(tokens))


def build_search_text(customer: Customer) -> str:
    """The lower-cased search text of a customer, from its own and its children's values."""
    return _search_text(
        customer, customer.contacts.all(), customer.locations.all(), customer.vehicles.all()
    )


def _by_customer[M: Contact | Location | Vehicle](
    queryset: QuerySet[M], ids: Sequence[int]
) -> dict[int, list[M]]:
    grouped: dict[int, list[M]] = {pk: [] for pk in ids}
    for row in queryset.filter(customer_id__in=ids):
        grouped[row.customer_id].append(row)  # type: ignore[index]
    return grouped


INDEX_BATCH = 500


def reindex_customers(customers: Sequence[Customer]) -> None:
    """Recompute and store the search text and the duplicate-search match keys of these
    customers: three reads and three writes per batch of 500, one customer or thousands."""
    for start in range(0, len(customers), INDEX_BATCH):
        batch = customers[start : start + INDEX_BATCH]
        ids = [customer.pk for customer in batch]
        # Plain managers, by customer id (the customers are in scope): with the scope's bare
        # `tenant_id = ?` SQLite without statistics would walk the whole tenant's rows.
        contacts = _by_customer(Contact._base_manager.all(), ids)
        locations = _by_customer(Location._base_manager.all(), ids)
        vehicles = _by_customer(Vehicle._base_manager.all(), ids)
        keyed = []
        for customer in batch:
            children = (contacts[customer.pk], locations[customer.pk], vehicles[customer.pk])
            customer.search_text = _search_text(customer, *children)
            keyed.append((customer, facts_of(customer, *children)))
        if len(batch) == 1:
            Customer.objects.filter(pk=batch[0].pk).update(search_text=batch[0].search_text)
        else:
            # One prepared UPDATE per row: bulk_update's CASE over 500 rows costs more.
            quote = connection.ops.quote_name
            table = quote(Customer._meta.db_table)
            sql = f"UPDATE {table} SET {quote('search_text')} = %s WHERE id = %s"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.executemany(sql, [(c.search_text, c.pk) for c in batch])
        write_match_keys(keyed)


# Customers changed inside an `_index_at_end()` block; None outside one.
_pending_index: ContextVar[set[int] | None] = ContextVar("customer_index_pending", default=None)


@contextmanager
def _index_at_end() -> Iterator[None]:
    """Defer the rebuilds of the block's changed customers to its end, once per customer
    (the bulk upserts: one item or a thousand take the same path, in a few queries)."""
    if _pending_index.get() is not None:
        yield
        return
    pending: set[int] = set()
    token = _pending_index.set(pending)
    try:
        yield
    finally:
        _pending_index.reset(token)
    # Reached only without an exception; a refused item's rolled-back customer is not found.
    reindex_customers(list(Customer.objects.filter(pk__in=pending).order_by("pk")))


def rebuild_search_text(customer: Customer) -> str:
    """Recompute and store `customer.search_text` and its match keys (services call it after
    every change; inside a bulk upsert, once per customer at its end)."""
    pending = _pending_index.get()
    if pending is not None:
        pending.add(customer.pk)
        return customer.search_text
    reindex_customers([customer])
    return customer.search_text


# --- staff (issue 13): "Werkstattkunde" ---


@transaction.atomic
def set_preferred_workshop(obj: Customer | Vehicle, actor: Actor, on: bool) -> bool:
    """Mark a customer or one of their vehicles as having chosen this business as their
    workshop ("Werkstattkunde", seed 002), or unmark it; False when nothing changed.
    Recorded on the customer like any change of master data."""
    if isinstance(obj, Vehicle):
        if obj.customer is None:
            raise CustomerError(_("Das Fahrzeug hat keinen Halter."), None, "no_keeper")
        customer = _lock_customer(obj.customer)
        target: Customer | Vehicle = Vehicle.objects.select_for_update().get(
            pk=obj.pk, customer=customer
        )
    else:
        customer = target = _lock_customer(obj)
    old = target.preferred_workshop
    if old == on:
        return False
    target.preferred_workshop = on
    target.save(update_fields=["preferred_workshop"])
    changes = {"preferred_workshop": [old, on]}
    if isinstance(target, Vehicle):
        data = {"id": target.pk, "label": str(target), "changes": changes}
        record(customer.tenant, actor, "vehicle.updated", customer, data)
    else:
        record(customer.tenant, actor, "customer.updated", customer, {"changes": changes})
    return True
