"""A positive scale sampled on the whole real line, folded at zero.

PyMC samples a half-normal scale on the log scale. When its posterior reaches zero (the
negative binomial's overdispersion on a diary whose counts are nearly Poisson: a posterior
median of 0.28 with its 1 % quantile at 0.003, eight units below on the log scale), the log
scale stretches the region near zero into a long left tail that NUTS, with one step size
for the bulk, crosses slowly: that scale was the worst-mixing quantity of the personal model
(bulk ESS 550-2,400 of 4,000 draws at 365 nights in nutpie; folded, 3,600-4,100:
``benchmarks/bench_sampler.py``).

:class:`Folded` samples an unconstrained ``x`` instead and takes the scale as ``|x|``. With a
half-normal prior and a likelihood that depends on the scale through its square (the negative
binomial's ``alpha = overdispersion^-2``), the density of ``x`` is even and smooth through
zero, so the tail disappears. The map is two-to-one, with no Jacobian: the density of ``x``
integrates to 2, a constant that NUTS, the Laplace approximation and importance ratios never
see. The sampled ``x`` may be negative; the stored scale is ``|x|``.
"""

from __future__ import annotations

from typing import Any

from pymc.logprob.transforms import Transform


class Folded(Transform):
    """``value = |x|`` for ``x`` on the real line (see the module docstring).

    Only for a scalar parameter whose prior and likelihood are even in it (a half-normal
    scale that enters squared): elsewhere the fold would change the model.
    """

    name = "folded"
    ndim_supp = 0

    def forward(self, value: Any, *inputs: Any) -> Any:
        """A positive scale is its own unconstrained value."""
        return value

    def backward(self, value: Any, *inputs: Any) -> Any:
        """The scale of an unconstrained ``x``: ``|x|``."""
        import pytensor.tensor as pt

        return pt.abs(value)

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        """Zero: each half of the line maps onto the scale with unit slope."""
        import pytensor.tensor as pt

        return pt.zeros_like(value)
