"""Layer 6: trial design.

Schedules, blinding, calendars and pre-posterior simulation.
"""
