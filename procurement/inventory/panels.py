"""Sections that apps above the inventory add to a system's page.

The inventory may not import discovery or compliance (the layers run one way), yet its
system page shows their evidence and waivers. Those apps register a panel here in their
AppConfig.ready(): a template and a function giving its context for one user and system,
or None when the panel has nothing to show that user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

PanelContext = Callable[..., dict | None]


@dataclass(frozen=True)
class SystemPanel:
    template: str
    context: PanelContext  # (user, system) -> the template's context, or None to leave it out


_SYSTEM_PANELS: dict[str, SystemPanel] = {}


def register_system_panel(template: str, context: PanelContext) -> None:
    """Adds a panel once: registering the same template again replaces it (ready() may re-run)."""
    _SYSTEM_PANELS[template] = SystemPanel(template, context)


def system_panels(request, system) -> list[SafeString]:
    """Each registered panel rendered for this user and system, in registration order."""
    rendered = []
    for panel in _SYSTEM_PANELS.values():
        context = panel.context(request.user, system)
        if context is not None:
            rendered.append(render_to_string(panel.template, {"system": system, **context}, request=request))
    return rendered
