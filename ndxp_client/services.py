"""The national services the client knows by name, and their default identifiers.

The member codes of national bodies are NOT confirmed: these are placeholders that
README.md documents. Deployments pass their own mapping (`NdxpClient(services=...)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

CITIZEN_LOOKUP = "tra-cuu-cong-dan"
DOSSIER_SYNC = "dong-bo-ho-so"
DOSSIER_PROGRESS = "cap-nhat-tien-do"
DOCUMENT_RECEIPT = "nhan-van-ban"

DEFAULT_SERVICES: Mapping[str, str] = MappingProxyType(
    {
        CITIZEN_LOOKUP: "VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan",
        DOSSIER_SYNC: "VN/GOV/000.00.00.G12/DVCQG/dong-bo-ho-so",
        DOSSIER_PROGRESS: "VN/GOV/000.00.00.G12/DVCQG/cap-nhat-tien-do",
        DOCUMENT_RECEIPT: "VN/GOV/000.00.00.G01/TRUC-LIEN-THONG/nhan-van-ban",
    }
)

JSON = "application/json; charset=utf-8"
XML = "application/xml; charset=utf-8"


def service_id(name_or_id: str, services: Mapping[str, str]) -> str:
    """The service id a name maps to in `services`, or the argument itself if it is an id."""
    return services.get(name_or_id, name_or_id)
