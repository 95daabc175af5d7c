"""The history of an appointment "as it looked then" (seed 002) and a vehicle's appointments.

Objects are looked up through the tenant-scoped managers, so another tenant's ids answer
404. Reading only: these pages change nothing.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from theke.appointments.history import versions_of
from theke.appointments.models import Appointment
from theke.core.auth import staff_required
from theke.customers.models import Vehicle

MANAGE = "appointments.manage"


def _appointment_or_404(pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("customer", "vehicle", "branch", "advisor"), pk=pk
    )


@staff_required(MANAGE)
def appointment_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The versions, newest first: who, when, what, and each changed field old → new."""
    appointment = _appointment_or_404(pk)
    versions = versions_of(appointment)
    context = {"appointment": appointment, "versions": list(reversed(versions))}
    return render(request, "appointments/staff/appointment_history.html", context)


@staff_required(MANAGE)
def appointment_version(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """The staff page of one version, rendered from its snapshot (not today's data)."""
    appointment = _appointment_or_404(pk)
    versions = versions_of(appointment)
    if not 1 <= version <= len(versions):
        raise Http404("no such version")
    shown = versions[version - 1]
    context = {
        "appointment": appointment,
        "version": shown,
        "data": shown.data,
        "count": len(versions),
        "previous": version - 1 if version > 1 else None,
        "next": version + 1 if version < len(versions) else None,
    }
    return render(request, "appointments/staff/appointment_version.html", context)


@staff_required(MANAGE)
def vehicle_appointments(request: HttpRequest, pk: int) -> HttpResponse:
    """All appointments of a vehicle, newest first, each with its page and its history."""
    vehicle = get_object_or_404(Vehicle.objects.select_related("customer"), pk=pk)
    appointments = (
        Appointment.objects.filter(vehicle=vehicle)
        .select_related("customer", "branch", "advisor")
        .prefetch_related("work_items")
        .order_by("-start", "-pk")
    )
    context = {"vehicle": vehicle, "appointments": appointments}
    return render(request, "appointments/staff/vehicle_appointments.html", context)
