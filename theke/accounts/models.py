"""Staff users, roles and tenant memberships."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from theke.accounts.permissions import PERMISSIONS
from theke.core.validators import validate_single_line
from theke.tenants.models import Language, Tenant
from theke.tenants.scoping import TenantOwned


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff user; logs in by e-mail. Tenant rights come from memberships, not from here."""

    email = models.EmailField(_("E-Mail"), unique=True)
    full_name = models.CharField(_("Name"), max_length=200, validators=[validate_single_line])
    language = models.CharField(
        _("Sprache"), max_length=5, choices=Language.choices, default=Language.GERMAN
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_staff = models.BooleanField(
        _("Zugang zur Django-Administration"),
        default=False,
        help_text=_("Nur für Betreiber der Plattform."),
    )
    date_joined = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("Benutzer")
        verbose_name_plural = _("Benutzer")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(TenantOwned):
    """A named bundle of permission codes within one tenant."""

    name = models.CharField(_("Name"), max_length=100)
    permissions = models.JSONField(_("Rechte"), default=list, blank=True)
    is_admin = models.BooleanField(
        _("Administratorrolle"),
        default=False,
        help_text=_("Darf Benutzer und Rollen verwalten; kann nicht gelöscht werden."),
    )

    class Meta:
        verbose_name = _("Rolle")
        verbose_name_plural = _("Rollen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="role_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name

    def permission_labels(self) -> list[str]:
        return [str(PERMISSIONS[code]) for code in self.permissions if code in PERMISSIONS]


class Membership(models.Model):
    """A user's membership in a tenant, with one role there.

    Deliberately not tenant-scoped: it is what decides which tenant a request runs in,
    and it is only ever looked up by its user (or by the active tenant, explicitly).
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    branches = models.ManyToManyField(
        "tenants.Branch",
        blank=True,
        related_name="memberships",
        verbose_name=_("Betriebe"),
        help_text=_("Leer: alle Betriebe."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.role})"


class CustomerAccount(TenantOwned):
    """A customer's login (B2B portal user, private customer of the job manager).

    Not a Django auth user: it never becomes `request.user`, so it never passes
    `staff_required` and never reaches /staff/ or /admin/. Its sessions are its own
    (theke.accounts.customer_auth). The e-mail is stored lower-cased, unique per tenant.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="accounts",
        verbose_name=_("Kunde"),
    )
    email = models.EmailField(_("E-Mail"))
    first_name = models.CharField(
        _("Vorname"), max_length=100, blank=True, validators=[validate_single_line]
    )
    last_name = models.CharField(
        _("Nachname"), max_length=100, blank=True, validators=[validate_single_line]
    )
    phone = models.CharField(
        _("Telefon"), max_length=40, blank=True, validators=[validate_single_line]
    )
    # A Django password hash (make_password); unusable until the account's first password.
    password = models.CharField(_("Passwort"), max_length=128, editable=False)
    is_active = models.BooleanField(_("aktiv"), default=True)
    last_login = models.DateTimeField(_("Letzte Anmeldung"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Kundenzugang")
        verbose_name_plural = _("Kundenzugänge")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"], name="customer_account_email_unique_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def has_usable_password(self) -> bool:
        from django.contrib.auth.hashers import is_password_usable

        return is_password_usable(self.password)


class CustomerSession(models.Model):
    """One browser session of a customer account ("Angemeldete Geräte").

    Written at login, touched at most once a minute, deleted at logout and by
    "sign out elsewhere". Scoped through its account (looked up by account only).
    """

    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    user_agent = models.CharField(max_length=200, blank=True)
    client_address = models.CharField(max_length=45, blank=True)

    class Meta:
        verbose_name = _("Kundensitzung")
        verbose_name_plural = _("Kundensitzungen")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.account} · {self.user_agent}"
