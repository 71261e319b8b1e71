"""`postgate doctor`: a checklist of what a deployment needs, each item ✓ or ✗ with
the fix: the settings, database, guidance and policy (`run`), then Slack and Discord,
whose libraries load only when they are configured."""
