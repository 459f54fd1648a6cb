"""What a load of the declarative file did: counts per entity kind, each write, new secrets."""

from __future__ import annotations

from pydantic import BaseModel, Field

from registry.dto import Action, EntityKind

ENTITIES: tuple[EntityKind, ...] = ("member", "system", "service", "access_rule", "credential")
_COUNTED: dict[Action, str] = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "revoke": "revoked",
}


class EntityCounts(BaseModel):
    """What a load did to one kind of entity."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    revoked: int = 0


class LoadAction(BaseModel):
    """One write a load made."""

    entity: EntityKind
    key: str
    action: Action


class LoadReport(BaseModel):
    """What a load changed, and the secrets of the credentials it created (shown this once)."""

    counts: dict[EntityKind, EntityCounts] = Field(
        default_factory=lambda: {kind: EntityCounts() for kind in ENTITIES}
    )
    actions: list[LoadAction] = Field(default_factory=list)
    kept: list[str] = Field(default_factory=list)
    secrets: dict[str, str] = Field(default_factory=dict, repr=False)

    @property
    def changed(self) -> bool:
        """Whether the load wrote anything."""
        return bool(self.actions)

    def did(self, *, entity: EntityKind, key: str, action: Action | None) -> None:
        """Count one entity; `None` means it was left as it was."""
        counts = self.counts[entity]
        if action is None:
            counts.unchanged += 1
            return
        field = _COUNTED[action]
        setattr(counts, field, getattr(counts, field) + 1)
        self.actions.append(LoadAction(entity=entity, key=key, action=action))
