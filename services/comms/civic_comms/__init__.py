"""Comms service: communications and engagement."""
