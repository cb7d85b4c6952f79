"""The demo lycée (`manage.py creer_demo`): one builder per module, above every module.

`socle` builds the establishment, people and divisions; each other module adds its data with
`construire(ctx)`. Nothing in the product imports this package (import-linter contract).
"""
