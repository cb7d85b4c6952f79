"""RessourceEvaluation: creation date required and the file-xor-link constraint.

A migration of its own, after 0003 filled and repaired the rows: on PostgreSQL an ALTER TABLE
in the transaction that updated those rows fails ("pending trigger events")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_ressource_commune"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ressourceevaluation",
            name="cree_le",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AddConstraint(
            model_name="ressourceevaluation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("type", "FICHIER"), models.Q(("fichier", ""), _negated=True)),
                    models.Q(("type", "LIEN"), models.Q(("url", ""), _negated=True)),
                    _connector="OR",
                ),
                name="ressourceevaluation_fichier_ou_lien",
            ),
        ),
    ]
