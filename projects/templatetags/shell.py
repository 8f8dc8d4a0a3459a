"""Tags of the signed-in shell (layouts/app.html)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

register = template.Library()

NAV = "layouts/_nav.html"


@register.simple_tag(takes_context=True)
def firm_nav(context: template.Context) -> SafeString:
    """The firm's navigation links, drawn once per page: the sidebar and the mobile menu show
    the same ones, and each draw is a dozen URL reversals and icons."""
    drawn = context.render_context.get(NAV)
    if drawn is None:
        drawn = context.template.engine.get_template(NAV).render(context)
        context.render_context[NAV] = drawn
    return drawn
