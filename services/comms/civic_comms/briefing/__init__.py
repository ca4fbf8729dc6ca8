"""The weekly councillor briefing: the other services' news, media coverage, and drafts written in reaction."""
