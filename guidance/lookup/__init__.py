"""The guidance lookup: a member's question to the sections that answer it."""
