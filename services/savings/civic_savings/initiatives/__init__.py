"""Initiatives: savings proposals, their profiles by year, lifecycle and actuals."""
