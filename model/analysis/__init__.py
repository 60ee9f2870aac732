"""Layer 6: the analysis pipeline.

Read, fit, decide and check prior sensitivity in one call.
"""
