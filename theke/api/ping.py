"""GET/POST /api/v1/ping: lets an integrator check the key (and try Idempotency-Key)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from theke.api.idempotency import idempotent
from theke.api.resources import StrictIn

router = Router(tags=["ping"])


class PingOut(Schema):
    tenant: str
    key: str
    time: datetime


class PingIn(StrictIn):
    message: str = Field("", max_length=1000)


class PingEcho(PingOut):
    message: str


def _pong(request: HttpRequest) -> dict[str, object]:
    key = request.auth  # type: ignore[attr-defined]
    return {"tenant": key.tenant.slug, "key": key.prefix, "time": timezone.now()}


@router.get("/ping", response=PingOut, summary="Check the API key")
def ping(request: HttpRequest) -> dict[str, object]:
    return _pong(request)


@router.post("/ping", response=PingEcho, summary="Echo a message (idempotent POST example)")
@idempotent
def ping_post(request: HttpRequest, payload: PingIn) -> dict[str, object]:
    return {**_pong(request), "message": payload.message}
