"""Workshop appointments made by staff for a customer (seed 002): request, proposal, plan,
confirmation, finalize, no-show, cancel — and the customer's answers on their page.

Every function runs in one transaction and locks the appointment first (then, when it takes
capacity, the branch's booking row through `availability.lock_branch`, always in this
order), so two clicks, two tabs or a customer and the expiry task give exactly one outcome.
Refusals raise AppointmentError naming the field and a code. Each change is recorded as an
audit event with the appointment's snapshot (`appointments._update`), and the changes made
in Theke — by staff or the customer — are told to the back office as feed events
(`appointment.proposed`, `.accepted`, `.counter_proposed`, `.planned`, `.rescheduled`,
`.cancelled`, `.finalized`, `.no_show`). What the back office pushes through the API goes
through `create_appointment`/`update_appointment` instead and is never echoed back.

Messages to the customer are outbox rows (services/notify.py), sent after the commit.

The rooms: `common` (types, helpers), `proposals` (request, proposal, the customer's
answers, expiry), `planning` (capacity, plan … cancel), `confirmation` (the customer's
confirmation and cancellation with their calendar files), `no_shows` (the rate).
"""

from theke.appointments.services.appointments import AppointmentError
from theke.appointments.services.workshop.common import (
    CANCELLATION_PURPOSE,
    CONFIRMATION_PURPOSE,
    MAX_SLOTS,
    NOTE_LIMIT,
    PROPOSAL_PURPOSE,
    Keep,
    NoShowRate,
    SlotChoice,
    can_change_online,
    cancel_deadline,
    customer_actor,
    open_proposal,
)
from theke.appointments.services.workshop.confirmation import send_confirmation
from theke.appointments.services.workshop.no_shows import no_show_rates
from theke.appointments.services.workshop.planning import (
    cancel,
    finalize,
    plan,
    record_no_show,
    reschedule,
    set_checklist,
)
from theke.appointments.services.workshop.proposals import (
    accept_proposal,
    counter_propose,
    create_request,
    expire_proposals,
    propose,
    request_other_time,
)

__all__ = [
    "CANCELLATION_PURPOSE",
    "CONFIRMATION_PURPOSE",
    "MAX_SLOTS",
    "NOTE_LIMIT",
    "PROPOSAL_PURPOSE",
    "AppointmentError",
    "Keep",
    "NoShowRate",
    "SlotChoice",
    "accept_proposal",
    "can_change_online",
    "cancel",
    "cancel_deadline",
    "counter_propose",
    "create_request",
    "customer_actor",
    "expire_proposals",
    "finalize",
    "no_show_rates",
    "open_proposal",
    "plan",
    "propose",
    "record_no_show",
    "request_other_time",
    "reschedule",
    "send_confirmation",
    "set_checklist",
]
