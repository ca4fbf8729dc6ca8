"""Savings service: transformation savings from pipeline to delivery."""
