"""The yearly validation sample: a coded sample of real ads that measures the extraction's accuracy.

``sample``: the stratified draw; ``values``: what a coder may write per variable; ``sheet``: the encrypted
coding sheet (XLSX) in the raw zone and the checks of a coded sheet; ``accuracy``: accuracy, false-extraction
rates, confusion tables and misclassification-corrected shares. CLI: ``python -m sekswerk_assets.validation``.
"""
