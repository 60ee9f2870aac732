"""Layer 8: the report.

The self-contained HTML report.
"""
