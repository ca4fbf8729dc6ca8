"""civic web: the officers' web app (GOV.UK Frontend pages over the gateway's API)."""
