"""Safeguarding Adults Reviews (Care Act 2014 s44): referral to publication, the case kept confidential."""
