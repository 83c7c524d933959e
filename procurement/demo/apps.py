from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and scale data (`loaddemo`): the top layer, it may use every app."""

    name = "procurement.demo"
    label = "demo"
    verbose_name = "Demo data"
