"""Kindred: an offline, voice-only guided-session assistant for couples."""

__version__ = "0.1.0"
