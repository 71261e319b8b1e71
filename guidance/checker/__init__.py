"""The draft checker: a post against the policy's rules, with findings citing the guidance."""
