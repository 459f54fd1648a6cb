"""Admin REST API under /registry: members, systems, services, access rules, credentials,
the change history, and loading a declarative file. Every route needs the `admin` scope.

Routes are sync functions (FastAPI runs them in its threadpool) around one
transaction each; registry errors become problems in `lgsp.api.problems`.
After a write the node reloads its snapshot, so it serves its own change at once.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from lgsp.api.registry import changes, credentials, load, members, rules, services, systems
from lgsp.api.registry.common import json_body_only, require_admin

router = APIRouter(prefix="/registry", tags=["registry"], dependencies=[Depends(require_admin)])

_json_api = APIRouter(dependencies=[Depends(json_body_only)])
for module in (members, systems, services, rules, credentials, changes):
    _json_api.include_router(module.router)
router.include_router(_json_api)
router.include_router(load.router)
