"""Stored exact aggregates of the suggestion (evaluations.agregats), filled from the existing
résultats; and three indexes dropped because another index already starts with their column:

- resultat.evaluation_id: prefix of the unique index (evaluation, apprenant, critere);
- resultat.apprenant_id: prefix of (apprenant, critere) and of the covering index
  (apprenant, evaluation, critere, niveau);
- participant.evaluation_id: prefix of the unique index (evaluation, apprenant).

Each was written on every insert of a résultat (or participant) and never chosen by the planner
over the wider index. resultat.critere_id keeps its index (PROTECT check of a criterion)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Exists, F, OuterRef


def remplir(apps, schema_editor):
    from evaluations.agregats import NIVEAUX, sommes

    Resultat = apps.get_model("evaluations", "Resultat")
    Participant = apps.get_model("evaluations", "Participant")
    AgregatSuggestion = apps.get_model("evaluations", "AgregatSuggestion")
    groupes = (
        Resultat.objects.filter(
            niveau__in=NIVEAUX,
            evaluation__afficher_tableau_de_bord=True,
            evaluation__etablissement_id=F("apprenant__etablissement_id"),
        )
        .filter(
            Exists(
                Participant.objects.filter(
                    evaluation_id=OuterRef("evaluation_id"), apprenant_id=OuterRef("apprenant_id")
                )
            )
        )
        .values_list(
            "apprenant_id", "critere__competence_id", "niveau", "evaluation__date",
            "evaluation__nature",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    AgregatSuggestion.objects.bulk_create(
        (
            AgregatSuggestion(
                apprenant_id=a, competence_id=c, niveau=n, somme=s, nombre=k, date_max=d
            )
            for (a, c, n), (s, k, d) in sommes(groupes.iterator()).items()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cpro', '0004_division_code_mef_apprenant_siecle'),
        ('evaluations', '0004_ressource_contrainte'),
        ('referentiels', '0003_competence_convention'),
    ]

    operations = [
        migrations.AlterField(
            model_name='participant',
            name='evaluation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='evaluations.evaluation'),
        ),
        migrations.AlterField(
            model_name='resultat',
            name='apprenant',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='resultats', to='cpro.apprenant'),
        ),
        migrations.AlterField(
            model_name='resultat',
            name='evaluation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='resultats', to='evaluations.evaluation'),
        ),
        migrations.CreateModel(
            name='AgregatSuggestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('niveau', models.CharField(max_length=1, verbose_name='niveau')),
                ('somme', models.FloatField(default=0.0, verbose_name='somme des poids bruts')),
                ('nombre', models.IntegerField(default=0, verbose_name="nombre d'observations")),
                ('date_max', models.DateField(verbose_name='date de la dernière observation (borne)')),
                ('apprenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpro.apprenant')),
                ('competence', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='referentiels.competence')),
            ],
            options={
                'verbose_name': 'agrégat de suggestion',
                'constraints': [models.UniqueConstraint(fields=('apprenant', 'competence', 'niveau'), name='agregat_suggestion_unique')],
            },
        ),
        migrations.RunPython(remplir, migrations.RunPython.noop),
    ]
