"""templates."""

from django.utils.functional import Promise

# Audit action code -> label, registered by MessagingConfig.ready().
ACTION_LABELS: dict[str, Promise] = {}
