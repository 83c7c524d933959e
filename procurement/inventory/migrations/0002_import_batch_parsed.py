"""Import batches keep the parsed rows instead of the uploaded file.

Unconfirmed batches made before this hold only the file, which is no longer kept, so
they are deleted (their users upload again); applied ones keep their counts.
"""

from django.db import migrations, models


def delete_unconfirmed_batches(apps, schema_editor):
    apps.get_model("inventory", "ImportBatch").objects.filter(applied_at__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(delete_unconfirmed_batches, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="importbatch",
            name="content",
        ),
        migrations.AddField(
            model_name="importbatch",
            name="parsed",
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="row_count",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
