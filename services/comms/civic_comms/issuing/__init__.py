"""The weekly councillor briefing issued and sent: subscribers, approval, deliveries by email."""
