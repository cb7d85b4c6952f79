"""Livrets d'apprentissage (issue 17, part 3): one livret per apprentice and school year,
built on the PFMP data (no double entry). Sources checked and rules: see livrets/models.py and
the README section « Livrets des apprentis » (Code du travail L. 6231-2 and L. 6233-1 since the
2018 « Avenir professionnel » law; Qualiopi apprenticeship indicators)."""
