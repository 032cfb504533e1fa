"""Entry points: web app, admin, worker and CLI; the composition root lives here."""
