"""Staff views of the job manager (/staff/jobs/), one module per topic.

* `common` — the rights (USE, ADMINISTER), the product switch, looking a job up.
* `lists` — the job list, the archive, the start-page tile, the customer-page panel.
* `create` — "Neuer Job" (with a new customer on the way).
* `jobs` — the job page: the staff view, phases, customer view, timeline, conversation.
* `page` — what the job page shows (reading only).
* `files` — documents, file downloads, the archive's print.
"""

from theke.jobs.staff_views.common import ADMINISTER, USE

__all__ = ["ADMINISTER", "USE"]
