"""Webhooks: the tenant's events pushed to the back office, signed per Standard Webhooks.

* An endpoint (URL, event types, `whsec_` secret) belongs to a tenant; staff manage it
  under Einstellungen → API-Schlüssel → Webhooks (permission `api.manage_keys`).
* Every API event queues one outbox message (channel "webhook") per matching active
  endpoint, in the transaction that wrote the event; the worker sends it (`sender.py`).
* Retries follow the outbox's one schedule, `theke.messaging.retries` (≈ 27 h). An
  endpoint is disabled — staff with `api.manage_keys` get an inbox note, the tenant's
  notification address an e-mail — when an event's last attempt fails and nothing reached
  the endpoint since that event was queued, at once when the receiver answers 410 Gone,
  or when its host name now resolves to a refused (private) address.
"""
