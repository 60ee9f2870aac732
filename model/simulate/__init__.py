"""Layer 4: simulated persons with known truth.

Personas and persons drawn from the priors.
"""
