"""HTML views of the advisor."""
