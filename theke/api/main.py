"""The versioned REST API (django-ninja): /api/v1/, OpenAPI 3.1 at /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Theke API",
    version="1",
    urls_namespace="api-v1",
    description="The contract between a business's back-office system and Theke.",
)


def _register_routers() -> None:
    from theke.customers.api import router as customers_router

    api.add_router("/", customers_router)


_register_routers()
