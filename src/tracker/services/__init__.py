"""Use cases and the ports they need; adapters implement the ports."""
