"""Layer 6: series of n-of-1 trials.

``hierarchical``: the two-stage population fit (per-person blocks, ``person_stage``, then
NUTS over the population) and priors written back; ``blocks``: a person's likelihood block
and its exact marginal under the population; ``writeback``: the file-safe parts of writing
priors;
``joint``: the full hierarchical model in one NUTS fit, the reference the two stages are
checked against.
"""
