from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses: session lifetime, form and table helpers, exports. Imports no app."""

    name = "procurement.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from procurement.core import signals  # noqa: F401  (connects the login timestamp)
        from procurement.core.tables import memoise_render_signatures

        memoise_render_signatures()
        title_the_admin()


def title_the_admin() -> None:
    """The Django admin says Phaseout, not "Django administration", in its header and tab."""
    from django.contrib import admin

    admin.site.site_header = "Phaseout administration"
    admin.site.site_title = "Phaseout admin"
    admin.site.index_title = "Reference data, users and agencies"
