"""Who responded: respondent type, equality monitoring and consent to be contacted, kept apart from the answers."""
