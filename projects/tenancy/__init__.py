"""Tenant isolation: the current-firm scope, firm-owned models, row-level security, and the
choke point that resolves a firm from the URL."""
