"""Layer 6: series of n-of-1 trials.

The hierarchical population fit and priors written back.
"""
