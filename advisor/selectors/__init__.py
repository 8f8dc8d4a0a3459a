"""Reads of the advisor's data: selectors take the firm first, keyword-only, and never write."""
