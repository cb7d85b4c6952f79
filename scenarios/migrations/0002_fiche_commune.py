"""Scenario's shared fields move to the abstract scenarios.FicheBase (related names written
`%(class)ss`, the same names as before): state only, no SQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cpro", "0001_initial"),
        ("referentiels", "0001_initial"),
        ("scenarios", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scenario",
            name="criteres",
            field=models.ManyToManyField(
                blank=True, related_name="%(class)ss", to="referentiels.critere"
            ),
        ),
        migrations.AlterField(
            model_name="scenario",
            name="diplome",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="%(class)ss",
                to="referentiels.diplome",
            ),
        ),
        migrations.AlterField(
            model_name="scenario",
            name="etablissement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="%(class)ss",
                to="cpro.etablissement",
            ),
        ),
        migrations.AlterField(
            model_name="scenario",
            name="taches",
            field=models.ManyToManyField(
                blank=True, related_name="%(class)ss", to="referentiels.tache"
            ),
        ),
    ]
