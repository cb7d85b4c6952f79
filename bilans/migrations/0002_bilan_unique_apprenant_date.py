"""One bilan intermédiaire per learner and date (issue 15).

Existing duplicates are not merged or deleted silently: the migration stops and lists them
(learner, date, bilan ids) so that the DDFPT decides which one to keep."""

from django.db import migrations, models
from django.db.models import Count


def refuser_les_doublons(apps, schema_editor):
    BilanIntermediaire = apps.get_model("bilans", "BilanIntermediaire")
    doublons = list(
        BilanIntermediaire.objects.values("apprenant_id", "date")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("apprenant_id", "date")
    )
    if not doublons:
        return
    lignes = []
    for d in doublons:
        ids = list(
            BilanIntermediaire.objects.filter(apprenant_id=d["apprenant_id"], date=d["date"])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        lignes.append(
            f"- apprenant {d['apprenant_id']}, bilan du {d['date']:%d/%m/%Y} : "
            f"bilans n° {', '.join(map(str, ids))}"
        )
    raise RuntimeError(
        "Migration bilans.0002 impossible : plusieurs bilans intermédiaires existent pour un "
        "même apprenant à la même date. Supprimez (ou redatez) les bilans en trop, puis "
        "relancez la migration.\n" + "\n".join(lignes)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bilans", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refuser_les_doublons, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="bilanintermediaire",
            constraint=models.UniqueConstraint(
                fields=("apprenant", "date"), name="bilan_unique_apprenant_date"
            ),
        ),
    ]
