"""Staff views of the appointments domain, one module per topic (split past ~600 lines).

* `conversion` — "Als Termin anlegen" and the staff appointment page.
* `leads` — the lead manager: list, lead page, reject / reopen / edit, badge, tile, panel.
* `calendar` — the appointment calendar ("Servicetermin Manager") and moving a block.
* `history` — an appointment's versions "as it looked then"; a vehicle's appointments.

The names are re-exported here, so URL confs and app configs keep `staff_views.<view>`.
"""

# --- cal ---
from theke.appointments.staff_views.calendar import appointment_move, calendar
from theke.appointments.staff_views.conversion import (
    appointment_add_vehicle,
    appointment_cancel,
    appointment_detail,
    appointment_edit,
    appointment_master_data,
    appointment_send_confirmation,
    lead_convert,
    lead_convert_new_customer,
)
from theke.appointments.staff_views.history import (
    appointment_history,
    appointment_version,
    vehicle_appointments,
)
from theke.appointments.staff_views.leads import (
    customer_leads_panel,
    lead_badge,
    lead_badge_view,
    lead_detail,
    lead_edit,
    lead_list,
    lead_reject,
    lead_reopen,
    new_leads_tile,
)

# --- staff (issue 13): workshop appointments ---
from theke.appointments.staff_views.workshop import (
    appointment_checklist,
    appointment_create,
    appointment_create_customer,
    appointment_finalize,
    appointment_no_show,
    appointment_plan,
    appointment_propose,
    preferred_customer,
    preferred_vehicle,
)
from theke.appointments.staff_views.workshop_list import (
    appointment_list,
    counter_proposals_tile,
    todays_appointments_tile,
    waiting_proposals_tile,
    workshop_customers,
)

__all__ = [
    "appointment_add_vehicle",
    "appointment_cancel",
    "appointment_checklist",
    "appointment_create",
    "appointment_create_customer",
    "appointment_detail",
    "appointment_edit",
    "appointment_finalize",
    "appointment_list",
    "appointment_master_data",
    "appointment_no_show",
    "appointment_plan",
    "appointment_propose",
    "appointment_send_confirmation",
    "counter_proposals_tile",
    "customer_leads_panel",
    "lead_badge",
    "lead_badge_view",
    "lead_convert",
    "lead_convert_new_customer",
    "lead_detail",
    "lead_edit",
    "lead_list",
    "lead_reject",
    "lead_reopen",
    "new_leads_tile",
    "preferred_customer",
    "preferred_vehicle",
    "todays_appointments_tile",
    "waiting_proposals_tile",
    "workshop_customers",
]

# --- cal ---
__all__ += ["appointment_move", "calendar"]
# --- hist ---
__all__ += ["appointment_history", "appointment_version", "vehicle_appointments"]
