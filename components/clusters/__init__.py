"""Cluster components (internal: import them from ``moorage``)."""
