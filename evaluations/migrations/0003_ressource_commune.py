"""RessourceEvaluation joins scenarios.RessourceBase: a creation date and the file-xor-link
constraint that scenarios.Ressource already had.

Existing rows:
- `cree_le` is filled with the creation date of their évaluation: the resources of an évaluation
  are copied from its scénario when it is created, and nothing older is known. Later additions
  get an earlier date than the truth, never a later one.
- Rows the constraint refuses can only come from the Django admin (the services never write
  them). Nothing is deleted silently:
  * a "file" without a stored file but with an address becomes a link, and a "link" without
    an address but with a stored file becomes a file (what the row points at is kept);
  * a row pointing at nothing (no stored file, no address) only holds a title: it is deleted,
    and an audit entry `evaluation.ressource_invalide_supprimee` keeps the whole row (titre,
    type, nom_fichier, …) in `avant`, so the DDFPT can see and recreate it.
  Every change is also printed while migrating.
The reverse migration drops the column and the constraint; converted or deleted rows stay so.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def remplir_et_corriger(apps, schema_editor):
    RessourceEvaluation = apps.get_model("evaluations", "RessourceEvaluation")
    Evaluation = apps.get_model("evaluations", "Evaluation")
    AuditLog = apps.get_model("cpro", "AuditLog")

    RessourceEvaluation.objects.filter(cree_le__isnull=True).update(
        cree_le=Subquery(Evaluation.objects.filter(pk=OuterRef("evaluation_id")).values("cree_le"))
    )

    sans_fichier = Q(type="FICHIER", fichier="")
    sans_lien = Q(type="LIEN", url="")
    autre_type = ~Q(type__in=["FICHIER", "LIEN"])
    for r in RessourceEvaluation.objects.filter(sans_fichier | sans_lien | autre_type):
        nouveau = "LIEN" if r.url else "FICHIER" if r.fichier else None
        if nouveau is not None:
            print(f"\n  RessourceEvaluation {r.pk} « {r.titre} » : {r.type} → {nouveau}")
            r.type = nouveau
            r.save(update_fields=["type"])
            continue
        evaluation = Evaluation.objects.get(pk=r.evaluation_id)
        AuditLog.objects.create(
            etablissement_id=evaluation.etablissement_id,
            acteur=None,
            action="evaluation.ressource_invalide_supprimee",
            objet_type="evaluations.Evaluation",
            objet_id=str(evaluation.pk),
            objet_repr=evaluation.titre[:255],
            avant={
                "ressource": r.pk,
                "type": r.type,
                "titre": r.titre,
                "nom_fichier": r.nom_fichier,
                "content_type": r.content_type,
                "taille": r.taille,
                "url": r.url,
                "ordre": r.ordre,
            },
            apres={"motif": "ni fichier stocké ni adresse (migration 0003)"},
        )
        print(f"\n  RessourceEvaluation {r.pk} « {r.titre} » : vide, supprimée (journal d'audit)")
        r.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cpro", "0001_initial"),
        ("referentiels", "0001_initial"),
        ("evaluations", "0002_resultat_index_couvrant"),
        ("scenarios", "0002_fiche_commune"),
    ]

    operations = [
        # Shared fields now declared by scenarios.FicheBase: state only, no SQL.
        migrations.AlterField(
            model_name="evaluation",
            name="criteres",
            field=models.ManyToManyField(
                blank=True, related_name="%(class)ss", to="referentiels.critere"
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="diplome",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="%(class)ss",
                to="referentiels.diplome",
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="etablissement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="%(class)ss",
                to="cpro.etablissement",
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="taches",
            field=models.ManyToManyField(
                blank=True, related_name="%(class)ss", to="referentiels.tache"
            ),
        ),
        migrations.AddField(
            model_name="ressourceevaluation",
            name="cree_le",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(remplir_et_corriger, migrations.RunPython.noop),
    ]
