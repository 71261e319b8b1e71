"""`postgate doctor`: a checklist of what a deployment needs, each item ✓ or ✗ with
the fix. A package per part checked: the settings, the database, the guidance and
policy, Slack, Discord."""
