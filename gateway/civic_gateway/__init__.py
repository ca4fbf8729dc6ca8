"""Gateway: one authenticated front door that composes the services."""
