"""Topics residents and staff subscribe to by email (double opt-in, one-click unsubscribe), and the
bulletins sent to them."""
