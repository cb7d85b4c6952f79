"""Suivi de projet — chef-d'œuvre of the baccalauréat professionnel (voie professionnelle
reform of 2019).

Official texts this module relies on (checked on 02/12/2026 through public copies; the
Légifrance and BO pages themselves could not be opened from the build machine):

- Code de l'éducation, art. D. 337-66-1 (the chef-d'œuvre is part of the Bac Pro), introduced
  by décret n° 2020-1277 du 20 octobre 2020 (JORF du 22/10/2020).
- Arrêté du 20 octobre 2020 définissant les modalités de l'évaluation du chef-d'œuvre prévue à
  l'examen du baccalauréat professionnel (JORFTEXT000042452287):
  art. 1: the work starts in classe de première, individual or collective; it is assessed by a
  final oral presentation combined with the evaluation written in the livret scolaire (statut
  scolaire) or the livret de formation (apprentis);
  art. 2: in establishments allowed to use the CCF, the AVERAGE OF THE NOTES of the livret
  recorded during the work counts for 50 % of the chef-d'œuvre's note, the oral for the other
  50 % — hence one note per year (Première, Terminale) here, shown in the LSL section;
  art. 4: the points above or below 10/20 are weighted by coefficient 2 in the Bac Pro average.
- Circulaire / note de service « modalités de réalisation et d'évaluation du chef-d'œuvre »,
  BO n° 41 du 29 octobre 2020 (summarised by académie de Nice, pedagogie.ac-nice.fr): teaching
  team accompanies the choice; intermediate achievements (our Etape rows) are allowed.

NOT verified here (left as the brief stated them, to be checked by the lead against the BO):
the oral's format (10 minutes of presentation + 10 minutes of interview, jury of two) and a
« note de service du 19-2-2021 »; the vademecum « Le chef-d'œuvre » (éduscol) was not found in
the sources available. Nothing in the code depends on these: Cpro records the yearly notes and
appréciations (the livret part), not the oral.
"""
