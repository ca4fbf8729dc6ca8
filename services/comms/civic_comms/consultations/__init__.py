"""Consultations and surveys: their questions, the responses, the results and their announcement."""
