"""Layer 2: a person's data.

The diary reader, the profile (with its safety screen inputs) and converters of real data.
No PyMC here.
"""
