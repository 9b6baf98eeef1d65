from django.db import migrations

DEFAULT_PRIORITIES = [
    ("public-safety", "Public safety"),
    ("public-health", "Public health"),
    ("education", "Education"),
    ("environment", "Environment"),
    ("jobs-and-economy", "Jobs and economy"),
    ("government-operations", "Government operations"),
]


def create_defaults(apps, schema_editor):
    Priority = apps.get_model("goals", "Priority")
    for position, (slug, name) in enumerate(DEFAULT_PRIORITIES, start=1):
        Priority.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("goals", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
