"""`manage.py plan [--agency ABBR] [--time-limit S]`: plan now and print one JSON line."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from planner import services
from planner.enums import PlanState
from procurement.inventory.models import Agency


class Command(BaseCommand):
    help = (
        "Plans every remaining removal step of one agency (with its components) or of every agency, "
        "stores the plan and prints one JSON line: agencies, systems, items, late_systems, finish, "
        "status, gap, seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", metavar="ABBR", help="Agency abbreviation; all agencies when left out.")
        parser.add_argument("--time-limit", type=float, default=30.0, metavar="S", help="Search time in seconds.")
        parser.add_argument("--cold", action="store_true", help="Do not start from the current plan.")

    def handle(self, *args, agency: str | None, time_limit: float, cold: bool, **options) -> None:
        if not 0 < time_limit <= 3600:
            raise CommandError("--time-limit must be more than 0 and at most 3600 seconds.")
        scope = None
        if agency:
            scope = Agency.objects.filter(abbreviation__iexact=agency).first()
            if scope is None:
                raise CommandError(f"No agency with the abbreviation {agency!r}.")
        from planner.engine.kernels import load_kernels  # before the clock starts, as a worker does

        load_kernels()
        plan = services.plan_run_for_operator(agency=scope, time_limit_seconds=time_limit, warm_start=not cold)
        self.stdout.write(json.dumps(self._summary(plan)))
        if plan.state != PlanState.DONE:
            raise CommandError(f"Plan #{plan.pk} {plan.state}: {plan.message}")

    def _summary(self, plan) -> dict:
        return {
            "agencies": plan.systems.values("system__agency").distinct().count(),
            "systems": plan.system_count,
            "items": plan.item_count,
            "late_systems": plan.late_systems,
            "finish": plan.finishes_on.isoformat() if plan.finishes_on else None,
            "status": plan.engine_status or plan.state.upper(),
            "objective": plan.objective or None,
            "value": plan.objective_value,
            "lower_bound": plan.lower_bound,
            "gap": None if plan.gap is None else round(plan.gap, 4),
            "seconds": None if plan.seconds is None else round(plan.seconds, 1),
        }
