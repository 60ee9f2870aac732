"""Layer 7: pictures.

Plots of priors, timelines, predictions and ranked actions (:mod:`model.viz.plots`) and the
posterior predictive check (:mod:`model.viz.checks`), on blank figures of
:mod:`model.viz.canvas`.
"""
