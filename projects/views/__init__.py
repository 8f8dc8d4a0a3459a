"""HTML views of the projects app, one module per subject."""
