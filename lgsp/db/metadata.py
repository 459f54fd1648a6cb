"""Every package's tables, gathered for migrations and schema checks."""

from __future__ import annotations

from audit.tables import metadata as audit_metadata
from registry.models import Base as RegistryBase

target_metadata = [RegistryBase.metadata, audit_metadata]
