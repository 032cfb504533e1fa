"""Implementations of the service ports: storage, lookups, notifiers, jobs."""
