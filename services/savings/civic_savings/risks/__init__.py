"""Risks, assumptions, issues and dependencies (RAID) of a programme or of one of its initiatives."""
