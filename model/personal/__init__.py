"""Layer 4: the personal magnesium model.

Its graph, the fit, predictions from draws and persistence.
"""
