from django.db import migrations, models
from django.utils import timezone


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0003_measure_last_computation"),
    ]

    operations = [
        migrations.AddField(
            model_name="measuretarget",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=timezone.now),
            preserve_default=False,
        ),
    ]
