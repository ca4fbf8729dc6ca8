"""Delivery plans: each initiative's milestones, and the overdue ones."""
