"""Staff views of the appointments domain, one module per topic (split past ~600 lines).

* `conversion` — "Als Termin anlegen" and the staff appointment page.
* `leads` — the lead manager: list, lead page, reject / reopen / edit, badge, tile, panel.
* `history` — an appointment's versions "as it looked then"; a vehicle's appointments.

The names are re-exported here, so URL confs and app configs keep `staff_views.<view>`.
"""

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

__all__ = [
    "appointment_add_vehicle",
    "appointment_cancel",
    "appointment_detail",
    "appointment_edit",
    "appointment_master_data",
    "appointment_send_confirmation",
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
]

# --- hist ---
__all__ += ["appointment_history", "appointment_version", "vehicle_appointments"]
