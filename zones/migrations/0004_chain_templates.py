"""The leading industries' chain templates from data/chains.yaml (see zones/chains.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from zones.chains import load_chain_templates

    load_chain_templates(apps)


class Migration(migrations.Migration):
    dependencies = [("zones", "0003_scoring")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
