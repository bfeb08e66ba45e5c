"""The content library: questions, prayers, exercises, plans and spoken commands (YAML)."""
