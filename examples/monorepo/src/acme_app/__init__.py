"""Acme's order service."""
