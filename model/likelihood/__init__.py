"""Layer 3: the model's pieces, each written once.

Kinetics and dose response, and the likelihood families.
"""
