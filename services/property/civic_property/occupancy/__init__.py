"""Occupancy: daily desk readings, their imports, and utilisation."""
