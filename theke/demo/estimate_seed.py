"""Play the demo's estimates (theke.demo.estimate_data) through the real services.

Every row becomes a few timed steps (made, sent, viewed, asked, answered, decided, handled,
revised, revoked, expired); the steps of all rows run oldest first, each on the demo clock
set to its time (theke.demo.clock), so the history, the event feed and the delivery log read
like a few weeks of work. E-mails go to a demo mail server that accepts, refuses (550) or is
down (421), so the delivery log shows sent, failed and queued messages; nothing leaves the
machine. Rows whose estimate exists already are skipped: seeding twice adds nothing.
"""

from __future__ import annotations

import datetime
import functools
import logging
import smtplib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.test.utils import override_settings
from django.utils import timezone

from theke.accounts.models import User
from theke.audit.services import Actor
from theke.customers.models import Article, Contact, Customer, Vehicle
from theke.demo.clock import clock_at, real_now
from theke.demo.estimate_data import (
    ACCEPTED,
    CUSTOMER,
    DECLINED,
    DEMO_ESTIMATES,
    DRAFT,
    EXPIRED,
    QUARANTINED_REPLY,
    REFUSED,
    RETRYING,
    REVISED,
    REVOKED,
    TECHNICIAN,
    VEHICLE,
    VIEWED,
    WITHOUT_OPTIONAL,
    DemoEstimate,
    DemoPosition,
)
from theke.demo.photos import demo_photo
from theke.estimates import services as estimates
from theke.estimates.models import DeclineChoice, Estimate, EstimateLink
from theke.messaging.models import OutboundMessage, OutboundStatus
from theke.messaging.purposes import EMAIL
from theke.messaging.services import conversations, delivery, inbound
from theke.tenants.models import Tenant

# The back office that "pushed" the demo estimates, and the adviser who sent them.
BACK_OFFICE = Actor.api_key("demo", "Dealer-Management-System (Demo)")
ADVISER = "berater@autohaus-demo.de"

# Where a step lies after the estimate was made.
SENT_AFTER = datetime.timedelta(minutes=10)
VIEWED_AFTER = datetime.timedelta(hours=3)
FIRST_MESSAGE_AFTER = datetime.timedelta(hours=4)
BETWEEN_MESSAGES = datetime.timedelta(minutes=90)
DECIDED_AFTER = datetime.timedelta(days=1)
HANDLED_AFTER_DECISION = datetime.timedelta(hours=3)
REVISED_AFTER = datetime.timedelta(days=1, hours=2)
REVOKED_AFTER = datetime.timedelta(days=2)
VALID_DAYS = 14
# No step happens later than this before the real now.
LATEST = datetime.timedelta(minutes=1)

# The demo mail servers: accepting, refusing the address for good, down for a while.
MAIL_ACCEPTS = "django.core.mail.backends.dummy.EmailBackend"
MAIL_REFUSES = "theke.demo.estimate_seed.RefusingMailServer"
MAIL_DOWN = "theke.demo.estimate_seed.UnavailableMailServer"

# How the customer's phone shows up in the decision's record.
CUSTOMER_IP = "192.0.2.24"
CUSTOMER_BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


class RefusingMailServer(BaseEmailBackend):
    """A mail server that knows none of the recipients (550 5.1.1): a permanent failure."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        refused = {
            address: (550, b"5.1.1 Recipient address rejected: mailbox unknown")
            for message in email_messages
            for address in message.recipients()
        }
        raise smtplib.SMTPRecipientsRefused(refused)


class UnavailableMailServer(RefusingMailServer):
    """A mail server that is down for maintenance (421): the outbox tries again later."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise smtplib.SMTPResponseException(421, b"4.3.2 Service not available, try later")


@contextmanager
def mail_server(backend: str) -> Iterator[None]:
    with override_settings(MAILERS={"default": {"BACKEND": backend}}):
        yield


@contextmanager
def quiet(logger: logging.Logger) -> Iterator[None]:
    """The outage is staged: its "will retry" lines would only alarm the demo's user."""
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass(order=True)
class Step:
    at: datetime.datetime
    row: int
    number: int
    action: Callable[[], None] = field(compare=False)


@dataclass
class RowState:
    demo: DemoEstimate
    made: datetime.datetime
    link: EstimateLink | None = None
    token: str = ""


class EstimateSeeder:
    """Seeds the demo estimates of one tenant; run inside its tenant scope."""

    def __init__(self, tenant: Tenant, rows: Sequence[DemoEstimate] = DEMO_ESTIMATES) -> None:
        self.tenant = tenant
        self.rows = rows
        self.now = real_now()
        self.articles = {a.number: a for a in Article.objects.filter(tenant=tenant)}
        self.adviser = User.objects.get(email=ADVISER)
        self.delivered_up_to = self._last_message_pk()

    # --- the plan ---------------------------------------------------------------------------

    def run(self) -> int:
        """Seed the rows not there yet; returns how many estimates were made."""
        numbers = [row.number for row in self.rows]
        existing = set(
            Estimate.objects.filter(external_id__in=numbers).values_list("external_id", flat=True)
        )
        steps: list[Step] = []
        states: dict[str, RowState] = {}
        for index, demo in enumerate(self.rows):
            if demo.number in existing:
                continue
            state = RowState(demo, self._clamp(self.now - datetime.timedelta(days=demo.days_ago)))
            states[demo.number] = state
            steps += self._steps(index, state)
        reply_to = states.get(QUARANTINED_REPLY[0])
        if reply_to is not None:
            at = reply_to.made + FIRST_MESSAGE_AFTER + 2 * BETWEEN_MESSAGES
            steps.append(
                Step(self._clamp(at), len(self.rows), 0, lambda: self._quarantine(reply_to))
            )
        for step in sorted(steps):
            with clock_at(step.at):
                step.action()
        return len(states)

    def _clamp(self, at: datetime.datetime) -> datetime.datetime:
        return min(at, self.now - LATEST)

    def _steps(self, index: int, state: RowState) -> list[Step]:
        demo, made = state.demo, state.made
        plan: list[tuple[datetime.timedelta, Callable[[], None]]] = [
            (datetime.timedelta(0), lambda: self._make(state))
        ]
        if demo.outcome != DRAFT:
            plan.append((SENT_AFTER, lambda: self._send(state)))
        if demo.outcome in (VIEWED, ACCEPTED, DECLINED, REVISED, EXPIRED):
            plan.append((VIEWED_AFTER, lambda: self._view(state)))
        for position, (author, text) in enumerate(demo.conversation):
            at = FIRST_MESSAGE_AFTER + position * BETWEEN_MESSAGES
            plan.append((at, functools.partial(self._message, state, author, text)))
        if demo.outcome in (ACCEPTED, DECLINED):
            plan.append((DECIDED_AFTER, lambda: self._decide(state)))
            if demo.handled:
                plan.append((DECIDED_AFTER + HANDLED_AFTER_DECISION, lambda: self._handled(state)))
        if demo.outcome == REVISED:
            plan.append((REVISED_AFTER, lambda: self._revise(state)))
        if demo.outcome == REVOKED:
            plan.append((REVOKED_AFTER, lambda: self._revoke(state)))
        if demo.outcome == EXPIRED:
            # The worker's nightly sweep the day after the validity date.
            sweep = timezone.localtime(made).replace(hour=1, minute=5, second=0, microsecond=0)
            plan.append(((sweep - made) + datetime.timedelta(days=VALID_DAYS + 1), self._expire))
        return [
            Step(self._clamp(made + offset), index, number, action)
            for number, (offset, action) in enumerate(plan)
        ]

    # --- the steps --------------------------------------------------------------------------

    def _make(self, state: RowState) -> None:
        demo = state.demo
        customer = Customer.objects.get(number=demo.customer)
        contact = Contact.objects.filter(customer=customer).first()
        values: dict[str, Any] = {
            "number": demo.number,
            "customer": customer,
            "contact": contact,
            "defect_description": demo.defect,
            "valid_until": timezone.localdate() + datetime.timedelta(days=VALID_DAYS),
        }
        if demo.item == VEHICLE:
            vehicle = Vehicle.objects.filter(customer=customer).order_by("pk").first()
            assert vehicle is not None, f"demo customer {demo.customer} has no vehicle"
            values["vehicle"] = vehicle
            values["object_description"] = (
                f"{vehicle.make} {vehicle.model}, {vehicle.license_plate}"
            )
        else:
            values["object_description"] = demo.item
        if demo.technician:
            values["technician_name"], values["technician_email"] = TECHNICIAN
        estimate, _created = estimates.save_estimate(
            self.tenant, BACK_OFFICE, demo.number, values, self._positions(demo.positions)
        )
        for caption in demo.photos:
            estimates.add_photo(estimate, BACK_OFFICE, data=demo_photo(caption), caption=caption)

    def _positions(self, positions: Sequence[DemoPosition]) -> list[dict[str, Any]]:
        rows = []
        for position in positions:
            row: dict[str, Any] = {
                "text": position.text,
                "quantity": Decimal(position.quantity),
                "is_optional": position.optional,
            }
            if position.article:
                row["article"] = self.articles[position.article]
            else:
                row.update(
                    unit=position.unit,
                    unit_price=Decimal(position.unit_price),
                    vat_rate=Decimal("19.00"),
                )
            rows.append(row)
        return rows

    def _send(self, state: RowState) -> None:
        demo = state.demo
        state.link, state.token = estimates.create_link(self.tenant, BACK_OFFICE, demo.number)
        messages = estimates.send_link(state.link, state.token, Actor.staff(self.adviser), [EMAIL])
        if demo.delivery == REFUSED:
            self._deliver(MAIL_REFUSES)
        elif demo.delivery == RETRYING:
            self.delivered_up_to = max(m.pk for m in messages)
            for message in messages:
                self._retry_until_now(message)
        else:
            self._deliver()

    def _view(self, state: RowState) -> None:
        assert state.link is not None
        estimate = self._live(state)
        estimates.record_view(state.link, estimate)

    def _message(self, state: RowState, author: str, text: str) -> None:
        estimate = self._live(state)
        thread = conversations.conversation_for(
            estimate,
            tenant=self.tenant,
            customer=estimate.customer,
            subject=f"Kostenvoranschlag {estimate.number}",
        )
        if author == CUSTOMER:
            conversations.post_customer_message(thread, estimate.contact, text)
        else:
            conversations.post_staff_message(thread, self.adviser, text)
            self._deliver()

    def _decide(self, state: RowState) -> None:
        demo, link = state.demo, state.link
        assert link is not None
        estimate = self._live(state)
        contact = estimate.contact
        name = f"{contact.first_name} {contact.last_name}" if contact else "Kunde"
        common: dict[str, Any] = {
            "name": name,
            "terms_accepted": True,
            "ip": CUSTOMER_IP,
            "user_agent": CUSTOMER_BROWSER,
            "version": estimate.version,
        }
        if demo.outcome == ACCEPTED:
            chosen: list[int] | None = [] if demo.decision == WITHOUT_OPTIONAL else None
            estimates.accept_estimate(link, optional_position_ids=chosen, **common)
        else:
            address = None
            if demo.decision == DeclineChoice.RETURN_SHIPPING:
                address = estimates.billing_address(estimate)
            estimates.decline_estimate(link, choice=demo.decision, address=address, **common)
        self._deliver()

    def _handled(self, state: RowState) -> None:
        estimates.mark_decision_handled(self._live(state), Actor.staff(self.adviser))

    def _revise(self, state: RowState) -> None:
        demo = state.demo
        estimate, _created = estimates.save_estimate(
            self.tenant,
            BACK_OFFICE,
            demo.number,
            {"valid_until": timezone.localdate() + datetime.timedelta(days=VALID_DAYS)},
            self._positions(demo.revised_positions),
        )
        assert estimate.version == 2, "a revised demo estimate has a version 2"
        assert state.link is not None
        estimates.send_link(state.link, state.token, Actor.staff(self.adviser), [EMAIL])
        self._deliver()

    def _revoke(self, state: RowState) -> None:
        estimates.revoke_estimate(self._live(state), Actor.staff(self.adviser))

    def _expire(self) -> None:
        estimates.expire_overdue()

    def _quarantine(self, state: RowState) -> None:
        """A reply to the estimate's thread from an address the shop does not know."""
        number, sender, subject, text = QUARANTINED_REPLY
        estimate = self._live(state)
        thread = conversations.conversation_for(
            estimate,
            tenant=self.tenant,
            customer=estimate.customer,
            subject=f"Kostenvoranschlag {number}",
        )
        mail = EmailMessage()
        mail["From"] = sender
        mail["To"] = conversations.reply_address(thread)
        mail["Subject"] = subject
        mail["Date"] = format_datetime(timezone.now())
        mail["Message-ID"] = make_msgid(domain="example.net")
        mail.set_content(text)
        inbound.receive_message(mail, source="demo")

    # --- helpers ----------------------------------------------------------------------------

    def _live(self, state: RowState) -> Estimate:
        estimate = estimates.live_estimate(state.demo.number)
        assert estimate is not None
        return estimate

    def _last_message_pk(self) -> int:
        last = OutboundMessage.objects.filter(tenant=self.tenant).order_by("-pk").first()
        return last.pk if last is not None else 0

    def _new_messages(self) -> list[int]:
        ids = list(
            OutboundMessage.objects.filter(
                tenant=self.tenant, status=OutboundStatus.QUEUED, pk__gt=self.delivered_up_to
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.delivered_up_to = max([self.delivered_up_to, *ids])
        return ids

    def _deliver(self, backend: str = MAIL_ACCEPTS) -> None:
        """Send what the last step queued (only the demo's own new messages)."""
        with mail_server(backend):
            for pk in self._new_messages():
                delivery.deliver_one(pk)

    def _retry_until_now(self, message: OutboundMessage) -> None:
        """The mail server is down: the worker tries on its schedule until now; the message
        stays queued for the next attempt."""
        with mail_server(MAIL_DOWN), quiet(delivery.logger):
            delivery.deliver_one(message.pk)
            while True:
                message.refresh_from_db()
                if (
                    message.status != OutboundStatus.QUEUED
                    or message.next_attempt_at >= self.now - LATEST
                    or message.attempts >= message.max_attempts - 1
                ):
                    return
                with clock_at(message.next_attempt_at):
                    delivery.deliver_one(message.pk)
