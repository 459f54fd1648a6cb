"""The audit package's error tree: one root, one subclass per way things go wrong."""

from __future__ import annotations


class AuditError(Exception):
    """Root of every error the audit package raises."""


class InvalidEntry(AuditError):
    """An entry (a draft, or stored bytes) does not follow the entry schema."""


class InvalidKey(AuditError):
    """Key material is malformed, or a key id does not belong to its public key."""


class UnknownKey(AuditError):
    """No public key is known under the key id an entry names."""


class KeyConflict(AuditError):
    """A key id is already registered with a different public key."""


class SignatureInvalid(AuditError):
    """A signature does not verify over the bytes it claims to sign."""


class LogInconsistent(AuditError):
    """The stored log contradicts itself: a copied column, a hash or the bytes disagree."""


class InvalidQuery(AuditError):
    """A search was asked with a malformed cursor, limit or time bound."""
