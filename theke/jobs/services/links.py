"""The customer link to a job's Parkplatz page (kind "job", page `job_pages:page`).

Every phase message carries a new link; older ones keep working (a customer in a long
exchange opens whichever e-mail is at hand), each for half a year.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy

from theke.customers import links as customer_links
from theke.customers.links import LinkKind
from theke.customers.models import Contact
from theke.jobs.models import Job

LINK_KIND = "job"
LINK_DAYS = 180

customer_links.register_kind(LinkKind(LINK_KIND, gettext_lazy("Job (Parkplatz)"), "job_pages:page"))


def job_link_url(job: Job, contact: Contact | None = None) -> str:
    """A new link to the job's Parkplatz page (the token is shown only here)."""
    token = customer_links.issue_link(
        job.tenant,
        LINK_KIND,
        str(job.pk),
        expires_at=timezone.now() + datetime.timedelta(days=LINK_DAYS),
        contact=contact or job.contact,
    )[1]
    return customer_links.link_url(LINK_KIND, token)
