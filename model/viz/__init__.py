"""Layer 7: pictures.

Plots of priors, timelines, predictions and ranked actions.
"""
