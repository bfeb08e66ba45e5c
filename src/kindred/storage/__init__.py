"""Local storage: the session history (SQLite)."""
