"""Appointments (Termine) at a branch: pushed by the back office, later also booked online
(leads, seed 001) and managed by staff (requests, proposals, reminders, seed 002).

An appointment's history "as it looked then" (seed 002) is its audit trail: every change
records the changed fields and a snapshot of the whole appointment after the change.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from theke.tenants.models import LegalConsentRecord
from theke.tenants.scoping import TenantOwned

MAX_MILEAGE_KM = 9_999_999


class AppointmentStatus(models.TextChoices):
    """The life of an appointment (seed 002's VIDA lists, seed 001's "Geplant")."""

    # A request entered for the customer, not yet planned ("Anfrage für Termin erstellen").
    REQUESTED = "requested", _("Angefragt")
    # A date offered to the customer, waiting for the answer ("Vorschlag anbieten").
    PROPOSED = "proposed", _("Vorgeschlagen")
    # Booked in the workshop planning ("Termin planen", a proposal the customer accepted, a
    # lead turned into an appointment). The back office's "Bestätigt" is a planned
    # appointment with `confirmed_at` set: confirmed to the customer.
    PLANNED = "planned", _("Geplant")
    # Work done and vehicle collected: the case is closed ("Termin endgültig festlegen").
    FINALIZED = "finalized", _("Abgeschlossen")
    CANCELLED = "cancelled", _("Storniert")


ACTIVE_STATUSES = frozenset(
    {AppointmentStatus.REQUESTED, AppointmentStatus.PROPOSED, AppointmentStatus.PLANNED}
)
FINAL_STATUSES = frozenset({AppointmentStatus.FINALIZED, AppointmentStatus.CANCELLED})
# What takes workshop capacity (free slots, planning checks). A request has no agreed time
# yet; a proposal holds the slots it offers (`ProposedSlot`), not its own start/end.
CAPACITY_STATUSES = frozenset({AppointmentStatus.PLANNED})


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
    notes = models.TextField(_("Anmerkungen"), blank=True)
    mileage_km = models.PositiveIntegerField(
        _("Kilometerstand"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_MILEAGE_KM)],
    )
    customer_waits = models.BooleanField(_("Kunde wartet"), default=False)
    replacement_car = models.BooleanField(_("Ersatzfahrzeug"), default=False)
    # The total the customer is told ("Gesamtkosten"); empty: the sum of the work items.
    estimated_cost = models.DecimalField(
        _("Gesamtkosten"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # The customer's data as the appointment uses them (from a lead: what the customer
    # entered, gaps filled from the master record). Empty: the customer master's data.
    contact_salutation = models.CharField(_("Anrede"), max_length=40, blank=True)
    contact_first_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    contact_last_name = models.CharField(_("Nachname"), max_length=100, blank=True)
    contact_email = models.EmailField(_("E-Mail"), blank=True)
    contact_mobile = PhoneNumberField(_("Mobiltelefon"), blank=True)
    contact_street = models.CharField(_("Straße"), max_length=200, blank=True)
    contact_postal_code = models.CharField(_("PLZ"), max_length=12, blank=True)
    contact_city = models.CharField(_("Ort"), max_length=100, blank=True)
    # "In Stammdaten übernehmen": write the contact data above into the customer master.
    update_master_data = models.BooleanField(_("In Stammdaten übernehmen"), default=False)
    # A walk-in vehicle ("Durchlauffahrzeug"): not in the vehicle master (vehicle is None).
    walk_in_vin = models.CharField(_("FIN"), max_length=17, blank=True)
    walk_in_license_plate = models.CharField(_("Kennzeichen"), max_length=20, blank=True)
    walk_in_make = models.CharField(_("Marke"), max_length=60, blank=True)
    walk_in_model = models.CharField(_("Modell"), max_length=100, blank=True)
    # When the appointment was confirmed to the customer (confirmation sent, proposal
    # accepted, or "Bestätigt" pushed by the back office). None: not confirmed yet.
    confirmed_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)
    # Planned beyond the branch's capacity, explicitly confirmed by staff (seed 002).
    overbooked = models.BooleanField(_("Überbucht"), default=False)
    # The seed's warning before a proposal goes out: provisional workshop time confirmed,
    # work order ready, every part in stock or ordered.
    workshop_time_confirmed = models.BooleanField(_("Werkstattzeit bestätigt"), default=False)
    work_order_ready = models.BooleanField(_("Arbeitsauftrag fertig"), default=False)
    parts_ready = models.BooleanField(_("Teile vorrätig oder bestellt"), default=False)
    no_show_at = models.DateTimeField(_("Nicht erschienen (erfasst am)"), null=True, blank=True)
    # The customer asked for another time ("anderen Termin anfragen"); staff answer it.
    counter_proposal_note = models.TextField(_("Terminwunsch des Kunden"), blank=True)
    counter_proposal_at = models.DateTimeField(_("Gegenvorschlag am"), null=True, blank=True)
    # Counts the changes; the audit event of a change carries the version it produced. It
    # is also the calendar file's SEQUENCE: raised on every change.
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

    @property
    def checklist_complete(self) -> bool:
        return self.workshop_time_confirmed and self.work_order_ready and self.parts_ready

    @property
    def is_provisional(self) -> bool:
        return self.provisional(self.status, self.workshop_time_confirmed)

    @staticmethod
    def provisional(status: str, workshop_time_confirmed: bool) -> bool:
        """Planned with workshop time not yet confirmed: listed prominently (seed 002)."""
        return status == AppointmentStatus.PLANNED and not workshop_time_confirmed

    @property
    def work_description(self) -> str:
        """The work items' texts, one per line (the back office's former single field)."""
        return "\n".join(item.text for item in self.work_items.all())

    @property
    def is_walk_in_vehicle(self) -> bool:
        return self.vehicle_id is None and bool(self.walk_in_vin or self.walk_in_license_plate)

    @property
    def vehicle_owned_by_other(self) -> bool:
        """The vehicle from the master belongs to another customer (seed 001's warning)."""
        return (
            self.vehicle is not None
            and self.vehicle.customer_id is not None
            and self.vehicle.customer_id != self.customer_id
        )


class AppointmentWorkItem(TenantOwned):
    """One line of work on an appointment ("Arbeitsposition"): text and its cost.

    An online-booked service becomes one item (with its service, which says what the
    customer brings); the back office's `work_description`/`estimated_cost` one item too.
    """

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="work_items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("Arbeit"))
    cost = models.DecimalField(
        _("Kosten"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    service = models.ForeignKey(
        "BookableService",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Leistung"),
    )

    class Meta:
        verbose_name = _("Arbeitsposition")
        verbose_name_plural = _("Arbeitspositionen")
        ordering = ["appointment", "position", "id"]

    def __str__(self) -> str:
        return self.text


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Wartet auf den Kunden")
    ACCEPTED = "accepted", _("Angenommen")
    COUNTERED = "countered", _("Anderer Termin gewünscht")
    EXPIRED = "expired", _("Abgelaufen")
    WITHDRAWN = "withdrawn", _("Zurückgezogen")


class AppointmentProposal(TenantOwned):
    """Slots staff offered the customer ("Vorschlag anbieten"); each held until the customer
    answers or `expires_at` passes."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="proposals")
    status = models.CharField(
        _("Status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    by_email = models.BooleanField(_("per E-Mail"), default=True)
    by_sms = models.BooleanField(_("per SMS"), default=False)
    expires_at = models.DateTimeField(_("Gültig bis"))
    created_at = models.DateTimeField(_("Angeboten am"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("Beantwortet am"), null=True, blank=True)
    chosen_slot = models.ForeignKey(
        "ProposedSlot", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The customer's note with "anderen Termin anfragen".
    note = models.TextField(_("Nachricht des Kunden"), blank=True)

    class Meta:
        verbose_name = _("Terminvorschlag")
        verbose_name_plural = _("Terminvorschläge")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="proposal_status_expires"),
        ]

    def __str__(self) -> str:
        return str(self.appointment)


class ProposedSlot(TenantOwned):
    """One of the one to three slots of a proposal."""

    proposal = models.ForeignKey(
        AppointmentProposal, on_delete=models.CASCADE, related_name="slots"
    )
    # Denormalized from the proposal for the slot engine's one query per branch.
    branch = models.ForeignKey("tenants.Branch", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"))
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Serviceberater"),
    )
    # Whether it still holds capacity (open proposal); cleared when the proposal is answered,
    # withdrawn or expired, so the slot engine needs no join.
    holds_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Vorgeschlagener Termin")
        verbose_name_plural = _("Vorgeschlagene Termine")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["branch", "start"], name="proposed_slot_branch_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="proposed_slot_end_after"
            )
        ]

    def __str__(self) -> str:
        return timezone.localtime(self.start).strftime("%d.%m.%Y %H:%M")


class ReminderChannel(models.TextChoices):
    EMAIL = "email", _("E-Mail")
    SMS = "sms", _("SMS")


class ReminderKind(models.TextChoices):
    DAYS_BEFORE = "days_before", _("Terminerinnerung")
    SAME_DAY = "same_day", _("Erinnerung am Termintag")


class ReminderPreference(TenantOwned):
    """A contact's wish for appointment reminders; no row: the tenant's defaults."""

    contact = models.OneToOneField(
        "customers.Contact", on_delete=models.CASCADE, related_name="reminder_preference"
    )
    # None: the tenant's default (`BookingSettings.reminder_days_before`).
    days_before = models.PositiveSmallIntegerField(
        _("Tage vorher"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    by_email = models.BooleanField(_("per E-Mail"), default=True)
    by_sms = models.BooleanField(_("per SMS"), default=False)
    same_day = models.BooleanField(_("Erinnerung am Morgen des Termins"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Erinnerungswunsch")
        verbose_name_plural = _("Erinnerungswünsche")

    def __str__(self) -> str:
        return str(self.contact)


class AppointmentReminder(TenantOwned):
    """A reminder due at a moment: created with the appointment, moved with it, removed
    when it is cancelled or finalized, sent exactly once (`sent_at`)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("Art"), max_length=20, choices=ReminderKind.choices)
    channel = models.CharField(_("Kanal"), max_length=10, choices=ReminderChannel.choices)
    due_at = models.DateTimeField(_("Fällig am"))
    sent_at = models.DateTimeField(_("Gesendet am"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Terminerinnerung")
        verbose_name_plural = _("Terminerinnerungen")
        ordering = ["due_at", "id"]
        indexes = [
            # The worker's sweep: unsent reminders by due time.
            models.Index(
                fields=["due_at"],
                condition=models.Q(sent_at__isnull=True),
                name="reminder_unsent_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel"],
                condition=models.Q(sent_at__isnull=True),
                name="reminder_one_pending_per_kind_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()}"


# --- online service booking (seed 001, MOTIONDATA OSB) --------------------------------------


class BookingSettings(TenantOwned):
    """A tenant's settings of online booking and the lead manager ("Basis-Einstellungen").

    The tenant's switch itself ("Freischaltung", `Tenant.online_booking_enabled`) is set by
    the platform operator; everything here the tenant's administrator sets. A row exists
    only once the tenant changed a setting; `services.settings.booking_settings` gives the
    defaults otherwise.
    """

    hold_hours = models.PositiveSmallIntegerField(
        _("Offene Anfragen blockieren (Stunden)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text=_(
            "So lange hält eine neue Terminanfrage ihren Platz frei, solange sie nicht "
            "angenommen oder abgelehnt ist."
        ),
    )
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("Stornierung durch Kunden bis (Stunden vor dem Termin)"),
        default=24,
        validators=[MaxValueValidator(24 * 14)],
    )
    cash_customer_number = models.CharField(
        _("Kundennummer des Barverkaufskunden"), max_length=40, blank=True
    )
    # "Dublettenabfrage": which criteria find duplicate customers when a lead is converted.
    duplicates_by_name_postcode = models.BooleanField(_("Name und PLZ"), default=True)
    duplicates_by_email = models.BooleanField(_("E-Mail-Adresse"), default=True)
    duplicates_by_phone = models.BooleanField(_("Telefonnummer"), default=True)
    duplicates_by_vehicle = models.BooleanField(_("Kennzeichen / FIN"), default=True)
    # Origins (scheme://host[:port]) allowed to show the booking page in an iframe, one per
    # line; sent as CSP frame-ancestors.
    embed_origins = models.TextField(_("Erlaubte Websites für die Einbettung"), blank=True)
    # --- workshop appointments (seed 002) ---
    proposal_hold_hours = models.PositiveSmallIntegerField(
        _("Terminvorschläge halten (Stunden)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_(
            "So lange bleiben die vorgeschlagenen Zeiten für den Kunden reserviert, solange er "
            "nicht antwortet."
        ),
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("Erinnerung (Tage vor dem Termin)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    reminder_time = models.TimeField(_("Uhrzeit der Erinnerung"), default=datetime.time(10, 0))
    same_day_reminder_time = models.TimeField(
        _("Uhrzeit der Erinnerung am Termintag"), default=datetime.time(7, 0)
    )

    class Meta:
        verbose_name = _("Einstellungen der Online-Terminbuchung")
        verbose_name_plural = _("Einstellungen der Online-Terminbuchung")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="booking_settings_one_per_tenant")
        ]

    def __str__(self) -> str:
        return str(_("Einstellungen der Online-Terminbuchung"))


class BranchBooking(TenantOwned):
    """A branch's online-booking settings: its switch, capacity and time limits."""

    branch = models.OneToOneField(
        "tenants.Branch",
        on_delete=models.CASCADE,
        related_name="booking",
        verbose_name=_("Betrieb"),
    )
    enabled = models.BooleanField(_("Online-Terminbuchung aktiv"), default=False)
    # None: each active advisor takes one appointment at a time (the default of seed 001).
    parallel_capacity = models.PositiveSmallIntegerField(
        _("Parallele Termine"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Leer: jeder aktive Annehmer nimmt einen Termin zur selben Zeit an."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("Raster der Startzeiten (Minuten)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("Puffer nach einem Termin (Minuten)"),
        default=0,
        validators=[MaxValueValidator(240)],
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        _("Mindestvorlauf (Stunden)"),
        default=24,
        validators=[MaxValueValidator(24 * 60)],
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("Buchbar bis (Tage im Voraus)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("Online-Terminbuchung des Betriebs")
        verbose_name_plural = _("Online-Terminbuchung der Betriebe")

    def __str__(self) -> str:
        return str(self.branch)


class ServiceAdvisor(TenantOwned):
    """A service advisor ("Annehmer") who takes online-booked appointments at a branch."""

    branch = models.ForeignKey(
        "tenants.Branch",
        on_delete=models.CASCADE,
        related_name="service_advisors",
        verbose_name=_("Betrieb"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Mitarbeiter"),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Annehmer")
        verbose_name_plural = _("Annehmer")
        ordering = ["branch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "user"], name="advisor_once_per_branch")
        ]

    def __str__(self) -> str:
        return str(self.user)


class AdvisorWorkingHours(TenantOwned):
    """One working interval of an advisor on a weekday; a lunch break means two rows."""

    advisor = models.ForeignKey(
        ServiceAdvisor, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(
        _("Wochentag"), validators=[MinValueValidator(0), MaxValueValidator(6)]
    )
    starts = models.TimeField(_("von"))
    ends = models.TimeField(_("bis"))

    class Meta:
        verbose_name = _("Arbeitszeit")
        verbose_name_plural = _("Arbeitszeiten")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="working_hours_ends_after"
            )
        ]


class AdvisorAbsence(TenantOwned):
    """An advisor's absence (holiday, illness, training): whole days, both ends included."""

    advisor = models.ForeignKey(ServiceAdvisor, on_delete=models.CASCADE, related_name="absences")
    first_day = models.DateField(_("von"))
    last_day = models.DateField(_("bis einschließlich"))
    reason = models.CharField(_("Grund"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Abwesenheit")
        verbose_name_plural = _("Abwesenheiten")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="absence_last_day_after_first",
            )
        ]


class BookableService(TenantOwned):
    """A service customers can book online ("Inspektion", "Räderwechsel"), with its duration."""

    name = models.CharField(_("Bezeichnung"), max_length=120)
    description = models.CharField(_("Beschreibung"), max_length=300, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("Dauer (Minuten)"), validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    price = models.DecimalField(
        _("Preis"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Empty: offered at every branch.
    branches = models.ManyToManyField(
        "tenants.Branch", blank=True, related_name="+", verbose_name=_("Betriebe")
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_active = models.BooleanField(_("aktiv"), default=True)
    # Shown on the customer's appointment page ("Bitte mitbringen: Fahrzeugschein").
    what_to_bring = models.CharField(_("Bitte mitbringen"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Buchbare Leistung")
        verbose_name_plural = _("Buchbare Leistungen")
        ordering = ["position", "name", "id"]

    def __str__(self) -> str:
        return self.name


class LeadStatus(models.TextChoices):
    """The statuses of seed 001's "Servicetermin Leadmanager"."""

    NEW = "new", _("Neu")
    # Turned into an appointment ("Als Termin anlegen").
    PLANNED = "planned", _("Geplant")
    REJECTED = "rejected", _("Abgelehnt")
    # Its appointment was cancelled or deleted.
    CANCELLED = "cancelled", _("Storniert")
    CANCELLED_BY_CUSTOMER = "cancelled_by_customer", _("Von Kunden storniert")


# Leads only staff with `appointments.edit_cancelled_leads` may reopen, edit or convert.
CLOSED_LEAD_STATUSES = frozenset({LeadStatus.REJECTED, LeadStatus.CANCELLED_BY_CUSTOMER})


class Lead(TenantOwned, LegalConsentRecord):
    """An appointment request a customer booked online ("Terminlead").

    It holds what the customer entered, as entered: the customer master and the vehicle
    master change only when staff turn it into an appointment (and then only as they chose).
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("Status"), max_length=30, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    branch = models.ForeignKey(
        "tenants.Branch", on_delete=models.PROTECT, related_name="leads", verbose_name=_("Betrieb")
    )
    # The advisor whose capacity the request holds (None with a branch's parallel capacity).
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Annehmer"),
    )
    start = models.DateTimeField(_("Gewünschter Termin"))
    end = models.DateTimeField(_("Ende"))
    services = models.ManyToManyField(
        BookableService, blank=True, related_name="leads", verbose_name=_("Leistungen")
    )
    # The services as booked (name, minutes, price), kept when a service changes later.
    services_booked = models.JSONField(_("Gebuchte Leistungen"), default=list, blank=True)

    # The customer, as entered.
    customer_number = models.CharField(_("Kundennummer"), max_length=40, blank=True)
    salutation = models.CharField(_("Anrede"), max_length=40, blank=True)
    first_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    last_name = models.CharField(_("Nachname"), max_length=100)
    email = models.EmailField(_("E-Mail"))
    mobile_phone = PhoneNumberField(_("Mobiltelefon"), blank=True)
    street = models.CharField(_("Straße"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=12, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    language = models.CharField(_("Sprache"), max_length=5, default="de")

    # The vehicle, as entered.
    vin = models.CharField(_("FIN"), max_length=17, blank=True)
    license_plate = models.CharField(_("Kennzeichen"), max_length=20, blank=True)
    make = models.CharField(_("Marke"), max_length=60, blank=True)
    model = models.CharField(_("Modell"), max_length=100, blank=True)
    mileage_km = models.PositiveIntegerField(
        _("Kilometerstand"), null=True, blank=True, validators=[MaxValueValidator(MAX_MILEAGE_KM)]
    )
    note = models.TextField(_("Anmerkung"), blank=True)

    # What became of it.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("Kunde"),
    )
    appointment = models.OneToOneField(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead",
        verbose_name=_("Termin"),
    )
    decided_at = models.DateTimeField(_("Entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Entschieden von"),
    )
    # Lower-cased name, e-mail, phone digits, plate, VIN, services: the LiveSearch column.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("Eingegangen am"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Terminanfrage")
        verbose_name_plural = _("Terminanfragen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="lead_end_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"], name="lead_tenant_status"),
            # The slot engine reads a branch's open requests by time.
            models.Index(fields=["branch", "status", "start"], name="lead_branch_status_start"),
            models.Index(fields=["tenant", "updated_at"], name="lead_tenant_updated"),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.start).strftime("%d.%m.%Y %H:%M") if self.start else ""
        return " · ".join(p for p in [when, self.full_name] if p)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.first_name, self.last_name] if p)

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_closed(self) -> bool:
        """Rejected or cancelled by the customer: only `edit_cancelled_leads` may touch it."""
        return self.status in CLOSED_LEAD_STATUSES


class LeadManagerPreference(models.Model):
    """A staff user's own settings of the lead manager ("Lokale Einstellungen")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead_manager_preference"
    )
    refresh_seconds = models.PositiveIntegerField(
        _("Aktualisierung alle (Sekunden)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(3600)],
    )
    # The calendar (seed 001's "Lokale Einstellungen"): open leads beside the advisors.
    show_leads_in_calendar = models.BooleanField(
        _("Terminleads im Kalender anzeigen"), default=True
    )
    lead_panel_width = models.PositiveSmallIntegerField(
        _("Breite der Lead-Spalte (Pixel)"),
        default=280,
        validators=[MinValueValidator(200), MaxValueValidator(600)],
    )

    class Meta:
        verbose_name = _("Einstellung des Leadmanagers")
        verbose_name_plural = _("Einstellungen des Leadmanagers")

    def __str__(self) -> str:
        return str(self.user)
