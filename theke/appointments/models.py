"""Appointments (Termine) at a branch: pushed by the back office, later also booked online
(leads, seed 001) and managed by staff (requests, proposals, reminders, seed 002).

An appointment's history "as it looked then" (seed 002) is its audit trail: every change
records the changed fields and a snapshot of the whole appointment after the change.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from theke.tenants.scoping import TenantOwned

MAX_MILEAGE_KM = 9_999_999


class AppointmentStatus(models.TextChoices):
    """The life of an appointment (seed 002's VIDA lists, seed 001's "Geplant")."""

    # A request entered for the customer, not yet planned ("Anfrage für Termin erstellen").
    REQUESTED = "requested", _("Angefragt")
    # A date offered to the customer, waiting for the answer ("Vorschlag anbieten").
    PROPOSED = "proposed", _("Vorgeschlagen")
    # Booked in the workshop planning ("Termin planen", a lead turned into an appointment).
    PLANNED = "planned", _("Geplant")
    # Confirmed to the customer (booking confirmation sent or agreed).
    CONFIRMED = "confirmed", _("Bestätigt")
    # Work done and vehicle collected: the case is closed ("Termin endgültig festlegen").
    FINALIZED = "finalized", _("Abgeschlossen")
    CANCELLED = "cancelled", _("Storniert")


ACTIVE_STATUSES = frozenset(
    {
        AppointmentStatus.REQUESTED,
        AppointmentStatus.PROPOSED,
        AppointmentStatus.PLANNED,
        AppointmentStatus.CONFIRMED,
    }
)
FINAL_STATUSES = frozenset({AppointmentStatus.FINALIZED, AppointmentStatus.CANCELLED})


class AppointmentSource(models.TextChoices):
    """Through which door the appointment came into Theke."""

    BACK_OFFICE = "back_office", _("Warenwirtschaftssystem")
    STAFF = "staff", _("Mitarbeiter")
    ONLINE_BOOKING = "online_booking", _("Online-Terminbuchung")


class Appointment(TenantOwned):
    # Public, stable id for appointments the back office does not know yet (made in Theke),
    # for API events and calendar files (iCalendar UID).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(_("ID im Warenwirtschaftssystem"), max_length=100, blank=True)
    source = models.CharField(
        _("Herkunft"),
        max_length=20,
        choices=AppointmentSource.choices,
        default=AppointmentSource.BACK_OFFICE,
    )
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.PLANNED,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("Kunde"),
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("Fahrzeug"),
    )
    branch = models.ForeignKey(
        "tenants.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("Betrieb"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Serviceberater"),
    )
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"))
    work_description = models.TextField(_("Auszuführende Arbeiten"), blank=True)
    notes = models.TextField(_("Anmerkungen"), blank=True)
    mileage_km = models.PositiveIntegerField(
        _("Kilometerstand"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_MILEAGE_KM)],
    )
    customer_waits = models.BooleanField(_("Kunde wartet"), default=False)
    replacement_car = models.BooleanField(_("Ersatzfahrzeug"), default=False)
    estimated_cost = models.DecimalField(
        _("Voraussichtliche Kosten"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Counts the changes; the audit event of a change carries the version it produced.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="appointment_external_id_unique_per_tenant",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"
            ),
        ]
        indexes = [
            # The calendar and the reminders read a tenant's (or branch's) appointments by time.
            models.Index(fields=["tenant", "start"], name="appointment_tenant_start"),
            models.Index(fields=["branch", "start"], name="appointment_branch_start"),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.start).strftime("%d.%m.%Y %H:%M") if self.start else ""
        return " · ".join(p for p in [when, str(self.customer) if self.customer_id else ""] if p)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES
