"""Layer 0: the vocabulary.

Errors, paths, atomic file output, forms, regimens and the one outcome registry. Imports
nothing of the package.
"""
