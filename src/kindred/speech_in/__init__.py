"""Speech in: recognizer engines, the command grammar, the wake word and listening modes."""
