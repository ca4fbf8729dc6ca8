"""Leases the council holds its leasehold buildings on: breaks and expiries ahead, and flagging them once."""
