"""Entities, value objects and the expiry policy; no framework or I/O imports."""
