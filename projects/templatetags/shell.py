"""Tags of the signed-in shell (layouts/app.html)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from projects.process_cache import ProcessCache

register = template.Library()

NAV = "layouts/_nav.html"
# The navigation is a function of the firm's slug, the page's path (which link is current) and
# whether the member may administer the firm — nothing else — so each process keeps it drawn.
_NAVS: ProcessCache[tuple[str, str, bool], str] = ProcessCache(512)


@register.simple_tag(takes_context=True)
def firm_nav(context: template.Context) -> SafeString:
    """The firm's navigation links, drawn once per page (the sidebar and the mobile menu show
    the same ones; each draw is a dozen URL reversals and icons) and kept per process."""
    key = (context["firm"].slug, context["request"].path, bool(context.get("can_admin")))
    drawn = _NAVS.remember(key, lambda: context.template.engine.get_template(NAV).render(context))
    # Our own template drew it, escaping what it shows.
    return mark_safe(drawn)  # noqa: S308
