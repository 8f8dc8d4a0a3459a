"""Selectors read: keyword-only, typed, firm first, the firm in every query."""
