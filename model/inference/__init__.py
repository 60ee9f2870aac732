"""Layer 3: inference.

The sampler entry point, diagnostics, PSIS reweighting and the disk compile cache (nutpie
internals are quarantined here).
"""
