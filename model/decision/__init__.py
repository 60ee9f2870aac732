"""Layer 5: the decision.

Hard rules, candidates, utility over posterior draws, chance constraints and the explanation.
Reads draws, never PyMC.
"""
