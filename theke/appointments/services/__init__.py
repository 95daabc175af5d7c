"""State changes of the appointments domain, one module per subject.

* `appointments` — appointments (the back office's pushes, staff edits, decisions).
* `leads` — the lead's shared ground: lock, status transitions, rights, audit and events.
* `settings` — online-booking settings and their defaults (seed 001's OSB settings).
* `availability` — free slots (the pure computation is `theke.appointments.slots`).
* `booking` — a customer books online; cancels through the customer link.
* `lead_actions` — staff reject, reopen and edit leads.
* `conversion` — staff turn a lead into an appointment (duplicates, vehicle by VIN).
* `workshop` — staff's workshop appointments: request, proposal, plan, confirmation,
  finalize, no-show, cancel, and the customer's answers (seed 002).
* `ics`, `links`, `notify` — the calendar file, the customer link and the messages.
"""

from theke.appointments.services.appointments import (
    TRANSITIONS,
    AppointmentError,
    WorkItem,
    advisor_by_email,
    cancel_appointment,
    create_appointment,
    event_payload,
    total_cost,
    upcoming_and_recent,
    update_appointment,
    work_items_of,
)

__all__ = [
    "TRANSITIONS",
    "AppointmentError",
    "WorkItem",
    "advisor_by_email",
    "cancel_appointment",
    "create_appointment",
    "event_payload",
    "total_cost",
    "upcoming_and_recent",
    "update_appointment",
    "work_items_of",
]
