"""Learner data of the référentiels module (cpro.rgpd): none, and nothing to declare.

The national référentiels (diplômes, compétences, critères, grilles CCF…) have no path to a
learner nor to a user; if one is ever added, tests/gestion/test_rgpd_couverture.py names the
model to declare here."""
