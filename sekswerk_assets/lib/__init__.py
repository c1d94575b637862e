"""Shared helpers: encryption, metadata, check factories."""
