"""Filters that turn stored codes into words for people: `{{ decision.user_agent|device }}`."""

from __future__ import annotations

from django import template

from theke.core.devices import describe_user_agent

register = template.Library()


@register.filter
def device(user_agent: str) -> str:
    return describe_user_agent(user_agent or "")
