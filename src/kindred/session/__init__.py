"""The guided session: a state machine of events in, actions out, and a thin driver."""
