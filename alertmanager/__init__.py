"""Alertmanager routing and inhibition for the alerts in rules/, and their tests.

A package only so that its conftest and helper modules import as
`alertmanager.*` and do not clash with the repository's top-level conftest.
"""
