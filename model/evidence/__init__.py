"""Layer 1: the evidence.

Schemas of the priors/ files, random-effects pooling, certainty-weighted synthesis and the
:class:`PriorSet`. No sampler here.
"""
