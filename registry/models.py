"""The registry's tables: members, systems, services, access rules, credentials, change history."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the registry's tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Member(Base):
    """An agency, named by its electronic identifier code (e.g. `000.00.00.H57`)."""

    __tablename__ = "registry_members"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class System(Base):
    """An information system of a member: `<member>:<SYSTEM>`."""

    __tablename__ = "registry_systems"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    member_code: Mapped[str] = mapped_column(
        ForeignKey("registry_members.code", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Service(Base):
    """A versioned service offered by a system: `<system>/<code>/v<N>`."""

    __tablename__ = "registry_services"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    system_id: Mapped[str] = mapped_column(
        ForeignKey("registry_systems.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    adapter: Mapped[str] = mapped_column(String(64))
    adapter_options: Mapped[dict[str, Any]]
    request_schema: Mapped[str | None] = mapped_column(String(200))
    response_schema: Mapped[str | None] = mapped_column(String(200))
    timeout_seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class AccessRule(Base):
    """Allows one client system to call one service (deny is the default).

    `method` is an HTTP method or `*`; `path_template` is a provider path
    template such as `/reports/{id}` or `*` for any path.
    """

    __tablename__ = "registry_access_rules"
    __table_args__ = (
        UniqueConstraint("client_system_id", "service_id", "method", "path_template"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_system_id: Mapped[str] = mapped_column(
        ForeignKey("registry_systems.id", ondelete="RESTRICT"), index=True
    )
    service_id: Mapped[str] = mapped_column(
        ForeignKey("registry_services.id", ondelete="RESTRICT"), index=True
    )
    method: Mapped[str] = mapped_column(String(10))
    path_template: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime]


class Credential(Base):
    """An OAuth2 client: an opaque id mapped to a system, with a keyed hash of its secret."""

    __tablename__ = "registry_credentials"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    system_id: Mapped[str] = mapped_column(
        ForeignKey("registry_systems.id", ondelete="RESTRICT"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class Change(Base):
    """One registry change: who, when, what, and the entity before and after."""

    __tablename__ = "registry_changes"
    __table_args__ = (Index("ix_registry_changes_entity", "entity", "entity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
