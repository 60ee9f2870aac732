"""Layer 7: pictures.

Plots of priors, predictions and ranked actions (:mod:`model.viz.plots`), the diary timeline
(:mod:`model.viz.timeline`) and the posterior predictive check (:mod:`model.viz.checks`), on
blank figures of :mod:`model.viz.canvas`.
"""
