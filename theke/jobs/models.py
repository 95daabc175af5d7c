"""The job manager (seed 004): the tenant's field library, workflows of phases, the versions
jobs follow, and the jobs with their values, files, payments and history.

Editing never touches what jobs run on: staff edit a workflow's *draft* (Phase and
PhaseEntry rows that point at library Fields); publishing compiles the draft and the fields'
current definitions into an immutable WorkflowVersion (`definition`, see theke.jobs.definition)
and every job keeps the version it started with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from theke.tenants.scoping import TenantOwned


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    TEXTAREA = "textarea", _("Textfeld (mehrzeilig)")
    SELECT = "select", _("Auswahlliste")
    CHECKBOX = "checkbox", _("Checkbox")
    FILE = "file", _("Datei")
    DOCUMENT_SHOW = "document_show", _("Dokument erstellen/anzeigen")
    DOCUMENT_SAVE = "document_save", _("Dokument erstellen/speichern")
    LOCATION = "location", _("Standort")
    JOB_STATUS = "job_status", _("Jobstatus")
    CALLBACK_PHONE = "callback_phone", _("Rückruftelefonnummer")
    CUSTOMER_MESSAGE = "customer_message", _("Externe Kundenmitteilung")
    VEHICLE_CONFIG = "vehicle_config", _("Fahrzeugkonfiguration")
    PAYMENT = "payment", _("Bezahlung")
    SUPPRESS_MESSAGES = "suppress_messages", _("Nachrichten unterdrücken")
    SAVE_BUTTON = "save_button", _("Speichern-Button")


class JobStatus(models.TextChoices):
    OPEN = "open", _("offen")
    SOLD = "sold", _("verkauft")
    CLOSED = "closed", _("abgeschlossen")
    CANCELED = "canceled", _("storniert")


# Closed and canceled jobs are archived, and no messages go out for them.
ARCHIVED_STATUSES = (JobStatus.CLOSED, JobStatus.CANCELED)


class View(models.TextChoices):
    STAFF = "staff", _("Mitarbeiteransicht")
    CUSTOMER = "customer", _("Kundenansicht")


class Field(TenantOwned):
    """A field of the tenant's library. A workflow's phases place it (PhaseEntry); a change
    reaches a workflow's jobs when that workflow is published again."""

    key = models.SlugField(
        _("Kürzel"),
        max_length=60,
        help_text=_("Name des Feldes in Bedingungen, z. B. auslieferung_gewuenscht."),
    )
    label = models.CharField(_("Bezeichnung"), max_length=200)
    type = models.CharField(
        _("Feldtyp"), max_length=20, choices=FieldType.choices, default=FieldType.TEXT
    )
    default = models.TextField(_("Vorgabewert"), blank=True)
    # Select lists: the offered entries, in order (their text is their value).
    options = models.JSONField(_("Auswahlwerte"), default=list, blank=True)
    # Document fields: the document templates offered (codes of theke.jobs.documents).
    documents = models.JSONField(_("Dokumente"), default=list, blank=True)
    help_text = models.CharField(_("Hilfetext"), max_length=300, blank=True)
    condition = models.TextField(
        _("Bedingung"),
        blank=True,
        help_text=_("Das Feld erscheint nur, wenn die Bedingung zutrifft (überall, wo es steht)."),
    )
    # Built-in ("Theke-Felder") fields are shipped: tenants use them but cannot change them.
    is_builtin = models.BooleanField(_("Theke-Feld"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Feld")
        verbose_name_plural = _("Felder")
        ordering = ["-is_builtin", "label", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="job_field_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Workflow(TenantOwned):
    """A logical sequence of phases; its draft is edited here, its versions are published."""

    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    is_builtin = models.BooleanField(_("Theke-Workflow"), default=False, editable=False)
    is_active = models.BooleanField(
        _("aktiv"), default=True, help_text=_("Neue Jobs können mit diesem Workflow starten.")
    )
    is_default = models.BooleanField(
        _("Standard für neue Jobs"),
        default=False,
        help_text=_("Rückrufwünsche, geparkte Anfragen und Jobs über die API starten hiermit."),
    )
    # Bumped by every change of the draft (and of a library field it uses): publishing names
    # the revision it previewed, so a draft changed in between is never published unseen.
    draft_revision = models.PositiveIntegerField(default=1, editable=False)
    published = models.ForeignKey(
        "WorkflowVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Veröffentlichte Version"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Workflow")
        verbose_name_plural = _("Workflows")
        ordering = ["-is_default", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(is_default=True), name="job_one_default_flow"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(TenantOwned):
    """A phase of a workflow's draft."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="phases")
    key = models.SlugField(_("Kürzel"), max_length=60)
    name = models.CharField(_("Name"), max_length=200)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    condition = models.TextField(
        _("Bedingung"),
        blank=True,
        help_text=_("Trifft sie nicht zu, entfällt die Phase (z. B. Auslieferung gewünscht = ja)."),
    )
    # A named text of the purpose "job_phase" (the template editor), sent on activation.
    message = models.CharField(_("Nachricht bei Aktivierung"), max_length=100, blank=True)
    message_sms = models.BooleanField(_("zusätzlich als SMS"), default=False)

    class Meta:
        verbose_name = _("Phase")
        verbose_name_plural = _("Phasen")
        ordering = ["workflow", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "key"], name="job_phase_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PhaseEntry(TenantOwned):
    """A library field placed in a phase's staff or customer view, with its attributes."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="entries")
    view = models.CharField(_("Ansicht"), max_length=10, choices=View.choices)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="entries", verbose_name=_("Feld")
    )
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    label = models.CharField(
        _("Überschrift"), max_length=200, blank=True, help_text=_("Leer: die des Feldes.")
    )
    required = models.BooleanField(_("Pflichtfeld"), default=False)
    read_only = models.BooleanField(_("nur lesbar"), default=False)
    hide_label = models.BooleanField(_("Überschrift ausblenden"), default=False)
    after_send = models.BooleanField(
        _("nach dem Senden anzeigen"),
        default=False,
        help_text=_("Erscheint erst, wenn gespeichert wurde (z. B. „Wir melden uns …“)."),
    )
    condition = models.TextField(_("Bedingung"), blank=True)

    class Meta:
        verbose_name = _("Feld der Phase")
        verbose_name_plural = _("Felder der Phase")
        ordering = ["phase", "view", "position", "pk"]

    def __str__(self) -> str:
        return self.label or self.field.label


class VersionKind(models.TextChoices):
    PUBLISHED = "published", _("veröffentlicht")
    TEST = "test", _("Test")


class WorkflowVersion(TenantOwned):
    """An immutable compiled workflow: what jobs run on (see theke.jobs.definition)."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    number = models.PositiveIntegerField(_("Version"), null=True, blank=True)
    definition = models.JSONField(editable=False)
    draft_revision = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Workflow-Version")
        verbose_name_plural = _("Workflow-Versionen")
        ordering = ["workflow", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "number"], name="job_version_number_unique"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == VersionKind.TEST:
            return f"{self.workflow} · {_('Test')}"
        return f"{self.workflow} · v{self.number}"


class Origin(models.TextChoices):
    STAFF = "staff", _("Mitarbeiter")
    CALLBACK = "callback", _("Rückrufwunsch")
    PARKING = "parking", _("Parkplatz des Kunden")
    API = "api", _("Schnittstelle")
    TEST = "test", _("Test")


class Waiting(models.TextChoices):
    STAFF = "staff", _("wartet auf uns")
    CUSTOMER = "customer", _("wartet auf den Kunden")
    NOBODY = "", _("—")


class Job(TenantOwned):
    """A customer's request or order followed through a workflow version's phases."""

    number = models.CharField(_("Jobnummer"), max_length=20)
    title = models.CharField(_("Betreff"), max_length=200, blank=True)
    workflow = models.ForeignKey(
        Workflow, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("Workflow")
    )
    version = models.ForeignKey(WorkflowVersion, on_delete=models.PROTECT, related_name="jobs")
    phase_key = models.CharField(_("Phase"), max_length=60)
    phase_activated_at = models.DateTimeField(_("Phase aktiviert am"))
    status = models.CharField(
        _("Jobstatus"), max_length=10, choices=JobStatus.choices, default=JobStatus.OPEN
    )
    waiting_for = models.CharField(
        _("Wartet auf"), max_length=10, choices=Waiting.choices, default=Waiting.STAFF, blank=True
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("Kunde"),
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ansprechpartner"),
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("Fahrzeug"),
    )
    branch = models.ForeignKey(
        "tenants.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Standort"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Bearbeiter"),
    )
    origin = models.CharField(_("Herkunft"), max_length=10, choices=Origin.choices)
    # Field values by field key (built-in functional fields also have columns of their own).
    values = models.JSONField(default=dict, blank=True)
    # "<phase>:<view>" -> when that view was last saved in that phase ("nach dem Senden").
    saved = models.JSONField(default=dict, blank=True)
    callback_phone = models.CharField(_("Rückruftelefonnummer"), max_length=30, blank=True)
    suppress_messages = models.BooleanField(_("Nachrichten unterdrücken"), default=False)
    external_id = models.CharField(_("ID im Warenwirtschaftssystem"), max_length=100, blank=True)
    # A test job (the workflow editor's test mode) sends its messages to this staff member only.
    is_test = models.BooleanField(default=False, editable=False)
    test_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)
    closed_at = models.DateTimeField(_("Archiviert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Job")
        verbose_name_plural = _("Jobs")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="job_number_unique"),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="job_external_id_unique",
            ),
        ]
        indexes = [
            # The lists' page of ids (status set, no test jobs, newest change first) and
            # their counts come from this index alone.
            models.Index(
                fields=["tenant", "is_test", "status", "-updated_at", "-id"],
                name="job_list_recent",
            ),
            models.Index(fields=["tenant", "waiting_for", "status"], name="job_waiting"),
            models.Index(fields=["customer", "-updated_at"], name="job_customer_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def is_archived(self) -> bool:
        return self.status in ARCHIVED_STATUSES

    def get_absolute_url(self) -> str:
        """The staff job page (the conversation's page links back to it)."""
        from django.urls import reverse

        return reverse("jobs:job", args=[self.pk])


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Mitarbeiter")
    CUSTOMER = "customer", _("Kunde")
    SYSTEM = "system", _("System")
    API = "api", _("Schnittstelle")


class JobChange(TenantOwned):
    """One line of a job's history: who changed which field from what to what, when.

    Values are stored as they were shown then, so the history reads the same after the
    workflow changed.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("Zeitpunkt"))
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_name = models.CharField(_("Bearbeiter"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phase_key = models.CharField(max_length=60, blank=True)
    phase_name = models.CharField(_("Phase"), max_length=200, blank=True)
    # A field's key, or one of the job's own attributes: "phase", "status", "assignee", ….
    field_key = models.CharField(max_length=60)
    field_label = models.CharField(_("Feld"), max_length=200)
    old = models.TextField(_("vorher"), blank=True)
    new = models.TextField(_("nachher"), blank=True)

    class Meta:
        verbose_name = _("Änderung")
        verbose_name_plural = _("Änderungen")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["job", "-at"], name="job_change_recent")]

    def __str__(self) -> str:
        return f"{self.field_label}: {self.old} → {self.new}"


class FileKind(models.TextChoices):
    UPLOAD = "upload", _("Datei")
    DOCUMENT = "document", _("Dokument")


class JobFile(TenantOwned):
    """An uploaded file or a created document of a job field. A newer one never deletes an
    older one: the field shows the newest, the history keeps all."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    field_key = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=FileKind.choices)
    document = models.CharField(max_length=40, blank=True)
    name = models.CharField(_("Dateiname"), max_length=200)
    file = models.FileField(upload_to="jobs/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(_("Erstellt am"), auto_now_add=True)
    created_by_name = models.CharField(_("von"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Datei")
        verbose_name_plural = _("Dateien")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class PaymentStatus(models.TextChoices):
    OPEN = "open", _("offen")
    PAID = "paid", _("bezahlt")
    FAILED = "failed", _("fehlgeschlagen")
    CANCELED = "canceled", _("abgebrochen")


class Payment(TenantOwned):
    """A payment link of a job's payment field, through a payment provider."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="payments")
    field_key = models.CharField(max_length=60)
    provider = models.CharField(_("Zahlungsanbieter"), max_length=30)
    amount = models.DecimalField(_("Betrag"), max_digits=12, decimal_places=2)
    purpose = models.CharField(_("Verwendungszweck"), max_length=140)
    status = models.CharField(
        _("Status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.OPEN
    )
    # The provider's reference of the checkout, and the hash of our return token.
    reference = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(_("Erstellt am"), auto_now_add=True)
    paid_at = models.DateTimeField(_("Bezahlt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Zahlung")
        verbose_name_plural = _("Zahlungen")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.job.number} · {self.amount} €"
