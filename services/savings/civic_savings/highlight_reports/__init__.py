"""Programmes' monthly highlight reports: generated from the data for any month, kept once issued."""
