"""Layer 4: the generic n-of-1 engine.

Any treatments, any outcome family, one person or a series of persons.
"""
