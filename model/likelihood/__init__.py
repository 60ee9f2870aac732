"""Layer 3: the model's pieces, each written once.

Kinetics and dose response (:mod:`.kinetics`), the likelihood families (:mod:`.families`)
and the prior of a person's effects (:mod:`.prior`).
"""
