"""tracker: a self-hosted service that watches domain expiry dates."""
