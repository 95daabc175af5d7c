"""The one error type of refused state changes, shared by every domain's services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A refused change with a message for the user (German msgid, translated).

    `field` names the input at fault, or None; forms show it on that field or on top.
    """

    def __init__(
        self,
        message: Any,
        field: str | None = None,
        code: str | None = "invalid",
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params)
        self.field = field
