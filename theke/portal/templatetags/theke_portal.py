from typing import Any

from django import template

from theke.portal.menu import menu_for

register = template.Library()


@register.inclusion_tag("portal/customer/_menu.html", takes_context=True)
def portal_menu(context: dict[str, Any], current: str = "") -> dict[str, Any]:
    """The top menu of the portal's pages (`current`: the active item's name)."""
    request = context["request"]
    user = request.portal_user
    return {
        "items": menu_for(user, context["tenant"].slug),
        "current": current,
        "tenant": context["tenant"],
        "portal_user": user,
    }
