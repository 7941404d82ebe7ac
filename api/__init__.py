"""REST API v1 (spec §8): the versioned routes, token authentication, throttling and the endpoints
that belong to no single app (reads of reference data, the KPI export).

The layer above every app: it may import tickets, escalation, canned and kpis alike.
"""
