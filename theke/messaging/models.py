"""Messaging: templates, the outbox, the staff inbox, conversations and inbound e-mail."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from theke.core.crypto import EncryptedTextField
from theke.tenants.models import Language
from theke.tenants.scoping import TenantOwned, TenantScopedManager


class Channel(models.TextChoices):
    EMAIL = "email", _("E-Mail")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


class RelatedObject(models.Model):
    """A generic link to the business object a row is about (estimate, appointment, …)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("content_type", "object_id")
    object_label = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    def relate_to(self, obj: models.Model | None) -> None:
        if obj is None:
            return
        self.content_type = ContentType.objects.get_for_model(obj)
        self.object_id = str(obj.pk)
        self.object_label = str(obj)[:200]


# --- templates (Textbausteine) ----------------------------------------------------------------


class MessageTemplate(TenantOwned):
    """A tenant's own named text for one purpose, channel and language.

    A tenant may keep several (e.g. "Standard" and "Absage kurz"); exactly one of them is
    the default that sending uses. Without any, the shipped text is used.
    """

    purpose = models.CharField(_("Zweck"), max_length=60)
    channel = models.CharField(_("Kanal"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("Sprache"), max_length=5, choices=Language.choices)
    name = models.CharField(_("Name"), max_length=100)
    is_default = models.BooleanField(_("Standard"), default=False)
    subject = models.CharField(_("Betreff"), max_length=300, blank=True)
    text = models.TextField(_("Text"))
    html = models.TextField(_("HTML"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Textbaustein")
        verbose_name_plural = _("Textbausteine")
        ordering = ["purpose", "channel", "language", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "purpose", "channel", "language", "name"],
                name="template_name_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "purpose", "channel", "language"],
                condition=models.Q(is_default=True),
                name="template_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} · {self.channel} · {self.language} · {self.name}"


# --- outbox ---------------------------------------------------------------------------------


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("wartet")
    SENDING = "sending", _("wird gesendet")
    SENT = "sent", _("gesendet")
    FAILED = "failed", _("fehlgeschlagen")
    CANCELLED = "cancelled", _("abgebrochen")


class OutboundMessage(TenantOwned, RelatedObject):
    """One message to one recipient on one channel, written in the business transaction.

    The worker claims it (status "sending" with a lease), sends it and marks it; a lost
    lease makes it due again, so a crash delays a message but never loses it.
    """

    channel = models.CharField(_("Kanal"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("Zweck"), max_length=60)
    status = models.CharField(
        _("Status"), max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    recipient = models.CharField(_("Empfänger"), max_length=2000)
    recipient_name = models.CharField(_("Name"), max_length=200, blank=True)
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sender_name = models.CharField(max_length=200, blank=True)
    reply_to = models.CharField(max_length=320, blank=True)
    subject = models.CharField(_("Betreff"), max_length=300, blank=True)
    # Encrypted at rest: a body may hold a live customer link (theke.core.crypto).
    body_text = EncryptedTextField(_("Text"), blank=True)
    body_html = EncryptedTextField(_("HTML"), blank=True)
    headers = models.JSONField(default=dict, blank=True)
    conversation = models.ForeignKey(
        "messaging.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_messages",
    )
    # Unique per business event + recipient + channel: a repeated event queues nothing new.
    dedupe_key = models.CharField(max_length=255)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    max_attempts = models.PositiveSmallIntegerField(default=8)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("Letzter Fehler"), blank=True)
    provider_id = models.CharField(max_length=255, blank=True, db_index=True)
    delivery_status = models.CharField(_("Zustellstatus"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)
    sent_at = models.DateTimeField(_("Gesendet"), null=True, blank=True)

    class Meta:
        verbose_name = _("Ausgehende Nachricht")
        verbose_name_plural = _("Ausgehende Nachrichten")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "dedupe_key"], name="outbound_dedupe")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_due"),
            models.Index(fields=["tenant", "content_type", "object_id"], name="outbound_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject or self.purpose}"


class OutboundAttachment(TenantOwned):
    message = models.ForeignKey(
        OutboundMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    file = models.FileField(upload_to="outbox/%Y/%m/")

    class Meta:
        verbose_name = _("Anhang")
        verbose_name_plural = _("Anhänge")

    def __str__(self) -> str:
        return self.filename


# --- staff inbox ----------------------------------------------------------------------------


class InternalMessage(TenantOwned, RelatedObject):
    """A note to one staff user, or to everyone with a role (optionally in one branch)."""

    recipient_user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recipient_role = models.ForeignKey(
        "accounts.Role", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    branch = models.ForeignKey(
        "tenants.Branch", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("Betreff"), max_length=300)
    body = models.TextField(_("Text"), blank=True)
    url = models.CharField(_("Link"), max_length=500, blank=True)
    sender_label = models.CharField(_("Von"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Interne Nachricht")
        verbose_name_plural = _("Interne Nachrichten")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_user__isnull=False)
                | models.Q(recipient_role__isnull=False),
                name="internal_message_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class InternalMessageRead(TenantOwned):
    message = models.ForeignKey(InternalMessage, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="internal_message_read_once")
        ]


# --- conversations --------------------------------------------------------------------------


class Conversation(TenantOwned, RelatedObject):
    """The thread attached to one business object; replies by e-mail find it by its token."""

    subject = models.CharField(_("Betreff"), max_length=300)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    # Random, unguessable: the local part of the reply address reply+<token>@<domain>.
    reply_token = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Unterhaltung")
        verbose_name_plural = _("Unterhaltungen")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "content_type", "object_id"],
                condition=~models.Q(object_id=""),
                name="one_conversation_per_object",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class AuthorType(models.TextChoices):
    STAFF = "staff", _("Mitarbeiter")
    CUSTOMER = "customer", _("Kunde")
    SYSTEM = "system", _("System")


class Via(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("E-Mail")


class ConversationMessage(TenantOwned):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author_type = models.CharField(max_length=10, choices=AuthorType.choices)
    author_user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(_("Von"), max_length=200, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.WEB)
    body = models.TextField(_("Nachricht"))
    inbound_email = models.ForeignKey(
        "messaging.InboundEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("Nachricht")
        verbose_name_plural = _("Nachrichten")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_label}: {self.body[:60]}"


class ConversationAttachment(TenantOwned):
    message = models.ForeignKey(
        ConversationMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="conversations/%Y/%m/")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.filename


class ConversationReadState(TenantOwned):
    """How far a participant (a staff user or a customer contact) has read a thread."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_states"
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    last_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"],
                condition=models.Q(user__isnull=False),
                name="read_state_per_user",
            ),
            models.UniqueConstraint(
                fields=["conversation", "contact"],
                condition=models.Q(contact__isnull=False),
                name="read_state_per_contact",
            ),
        ]


# --- inbound e-mail -------------------------------------------------------------------------


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("empfangen")
    PROCESSED = "processed", _("zugeordnet")
    QUARANTINED = "quarantined", _("in Quarantäne")
    DISCARDED = "discarded", _("verworfen")


class InboundEmail(models.Model):
    """One received e-mail, stored raw before anything else happens to it.

    The tenant is unknown until a thread matches; mail that matches no tenant stays in the
    platform's quarantine (Django admin), mail of a known tenant in that tenant's.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raw = models.FileField(upload_to="inbound/%Y/%m/")
    source = models.CharField(max_length=20, default="mailgate")
    status = models.CharField(
        _("Status"), max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    reason = models.CharField(_("Grund"), max_length=300, blank=True)
    message_id = models.CharField(max_length=500, blank=True, db_index=True)
    from_address = models.CharField(_("Von"), max_length=320, blank=True)
    to_addresses = models.TextField(_("An"), blank=True)
    subject = models.CharField(_("Betreff"), max_length=500, blank=True)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("Empfangen"), default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("Eingehende E-Mail")
        verbose_name_plural = _("Eingehende E-Mails")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"
