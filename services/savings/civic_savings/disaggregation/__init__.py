"""Disaggregation: the services one council hosts or leads for the other, when each is split, and what has
slipped."""
