"""SLA clocks on tickets: business calendars, SLA policies, business-time arithmetic and the clocks.

Part of the ticket's lifecycle, so every ticket service can keep the clocks in step in its own
transaction. The pages that edit calendars and policies, the scan that records warnings and
breaches, and the escalation rules live in the ``escalation`` app, which builds on this one.
"""
