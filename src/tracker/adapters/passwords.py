"""Password hashing with Werkzeug's salted scrypt."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash


class ScryptPasswordHasher:
    def hash(self, password: str) -> str:
        return generate_password_hash(password, method="scrypt")

    def verify(self, password_hash: str, password: str) -> bool:
        return check_password_hash(password_hash, password)
