"""The register of members' interests: what each member has registered, reviewed each year."""
