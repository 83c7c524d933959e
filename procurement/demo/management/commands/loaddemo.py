"""`manage.py loaddemo [--systems N]`: the demo data set, plus synthetic systems for scale tests."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from procurement.demo import services as demo
from procurement.demo.data import DemoDataError


class Command(BaseCommand):
    help = (
        "Loads the demo directive, agencies, systems, contracts and one user per role. "
        "Idempotent: a second run creates nothing and resets the demo users' passwords."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--systems",
            type=int,
            default=0,
            metavar="N",
            help="Also make sure synthetic systems SCALE-000001 … SCALE-N exist (for scale tests).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DJANGO_DEBUG=0. The demo users share a published password.",
        )

    def handle(self, *args, systems: int, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo users with a published password while DJANGO_DEBUG=0; "
                "pass --force if this database really is a demo."
            )
        if not 0 <= systems <= demo.SCALE_MAX_SYSTEMS:
            raise CommandError(f"--systems must be between 0 and {demo.SCALE_MAX_SYSTEMS}.")
        started = time.monotonic()
        try:
            summary = demo.load_demo()
        except DemoDataError as error:  # a mistake in data/demo.toml: the message names the key
            raise CommandError(str(error)) from error
        self.stdout.write(self._summary_line(summary, time.monotonic() - started))
        if systems:
            started = time.monotonic()
            created = demo.load_scale_systems(systems)
            demo.refresh_statistics()
            self.stdout.write(
                f"Scale systems: {created} new, {systems} requested "
                f"({time.monotonic() - started:.1f} s; deadlines derived)."
            )
        self._write_users(summary.users)

    def _summary_line(self, summary: demo.DemoSummary, seconds: float) -> str:
        counts, created = summary.counts, summary.created
        return (
            f"Demo loaded in {seconds:.1f} s: {counts['departments']} departments, "
            f"{counts['components']} components, {counts['systems']} systems ({created['systems']} new), "
            f"{counts['contracts']} contracts ({created['contracts']} new), directive {demo.DIRECTIVE_SHORT_NAME}."
        )

    def _write_users(self, users: tuple[demo.DemoUser, ...]) -> None:
        width = max(len(user.username) for user in users)
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo sign-ins (password reset on every run):"))
        self.stdout.write(f"  {'username':<{width}}  {'password':<{len(demo.DEMO_PASSWORD)}}  what they can do")
        for user in users:
            self.stdout.write(f"  {user.username:<{width}}  {demo.DEMO_PASSWORD}  {user.can_do}")
