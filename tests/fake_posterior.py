"""Deprecated location: the fake posterior lives in :mod:`model.testing`.

Kept only for ``tests/test_decide.py`` and ``benchmarks/bench_decide.py`` until their import
lines read ``from model.testing import FakePosterior``; then delete this file.
"""

from model.testing import FakePosterior

__all__ = ["FakePosterior"]
