"""Shared runtime: settings, telemetry, health, event bus, outbox, consumers, HTTP conventions, operator CLI."""
