"""Ships the default removal work templates (planner/data/work_templates.toml)."""

from django.db import migrations


def add_defaults(apps, schema_editor):
    from planner.defaults import default_templates

    WorkTemplateStep = apps.get_model("planner", "WorkTemplateStep")
    for kind, steps in default_templates().items():
        for step in steps:
            WorkTemplateStep.objects.get_or_create(
                agency=None,
                dependency_kind=kind,
                step=step.step,
                defaults={
                    "effort_days": step.effort_days,
                    "team_kind": step.team_kind,
                    "head_count": step.head_count,
                    "scales": step.scales,
                },
            )


def remove_defaults(apps, schema_editor):
    apps.get_model("planner", "WorkTemplateStep").objects.filter(agency=None).delete()


class Migration(migrations.Migration):
    dependencies = [("planner", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
