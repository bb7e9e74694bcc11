"""Alertmanager: amtool, servers, and what routing and inhibition cases check."""
