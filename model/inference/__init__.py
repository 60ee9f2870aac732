"""Layer 3: inference.

The one sampler entry point (:mod:`~model.inference.sampling`: ``SamplerConfig``,
``run_nuts``), the Laplace approximation, convergence diagnostics, PSIS reweighting with the
package's one trust rule, the shared posterior summaries, and the disk compile cache (nutpie
internals are quarantined there) with its key (:mod:`~model.inference.cache_key`).
"""
