"""A small synthetic population register: deterministic, Vietnamese names with diacritics, NFC.

Nobody here is real. Numbers follow the citizen-number layout (3-digit
province code, a century-and-sex digit, two year digits, six more), names and
places are drawn from common Vietnamese ones by a seeded generator, and the
administrative-unit codes are illustrative (provinces as the statistics
office numbers them; communes made up in its 5-digit shape).
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass
from typing import Final


def nfc(text: str) -> str:
    """`text` in Unicode normal form C, as Vietnamese text travels."""
    return unicodedata.normalize("NFC", text)


_HO: Final = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi")
_HO_MORE: Final = ("Đỗ", "Hồ", "Ngô", "Dương", "Tôn Nữ", "Nguyễn Phúc", "Lý", "Trương")
_DEM: Final = {
    "Nam": ("Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân"),
    "Nữ": ("Thị", "Ngọc", "Thu", "Thanh", "Diệu", "Khánh", "Hoài"),
}
_TEN: Final = {
    "Nam": ("An", "Bảo", "Cường", "Dũng", "Hùng", "Khoa", "Long", "Nhật", "Phúc", "Sơn", "Tuấn"),
    "Nữ": ("Anh", "Chi", "Dung", "Hà", "Hương", "Lan", "Linh", "Mai", "Nhung", "Thảo", "Yến"),
}
_DAN_TOC: Final = ("Kinh",) * 8 + ("Tà Ôi", "Cơ Tu")
_TON_GIAO: Final = ("Không",) * 5 + ("Phật giáo", "Phật giáo", "Công giáo")
# (province code, province name, ((commune code, commune name), ...)); Huế first: most live there.
_PLACES: Final = (
    (
        "46",
        "Thành phố Huế",
        (
            ("19753", "Phường Thuận Hóa"),
            ("19756", "Phường Phú Xuân"),
            ("19762", "Phường Kim Long"),
            ("19768", "Phường Vỹ Dạ"),
            ("19774", "Phường Thuận An"),
            ("19780", "Xã Phong Điền"),
            ("19786", "Xã Quảng Điền"),
        ),
    ),
    ("45", "Tỉnh Quảng Trị", (("19351", "Phường Đông Hà"), ("19357", "Xã Hải Lăng"))),
    ("48", "Thành phố Đà Nẵng", (("20194", "Phường Hải Châu"), ("20200", "Phường Sơn Trà"))),
    ("40", "Tỉnh Nghệ An", (("16681", "Phường Vinh Hưng"), ("16687", "Xã Nghi Lộc"))),
)
_STREETS: Final = ("Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hùng Vương", "Phan Bội Châu")


@dataclass(frozen=True, slots=True)
class Address:
    """A place: street detail, commune, province (post-2025: no district level)."""

    detail: str
    commune_code: str
    commune_name: str
    province_code: str
    province_name: str

    def as_json(self) -> dict[str, object]:
        """The wire shape: units nested with their codes."""
        return {
            "ChiTiet": self.detail,
            "Xa": {"Ma": self.commune_code, "Ten": self.commune_name},
            "Tinh": {"Ma": self.province_code, "Ten": self.province_name},
        }


@dataclass(frozen=True, slots=True)
class Citizen:
    """One synthetic person."""

    number: str
    full_name: str
    sex: str
    birth: str
    ethnicity: str
    religion: str
    hometown: Address
    permanent: Address
    current: Address

    def as_json(self) -> dict[str, object]:
        """The look-up answer's citizen object."""
        return {
            "SoDinhDanh": self.number,
            "HoVaTen": self.full_name,
            "GioiTinh": self.sex,
            "NgayThangNamSinh": self.birth,
            "DanToc": self.ethnicity,
            "TonGiao": self.religion,
            "QueQuan": self.hometown.as_json(),
            "ThuongTru": self.permanent.as_json(),
            "NoiOHienTai": self.current.as_json(),
        }


def _address(rng: random.Random, *, with_street: bool, home: bool) -> Address:
    province_code, province_name, communes = _PLACES[0] if home else rng.choice(_PLACES)
    commune_code, commune_name = rng.choice(communes)
    detail = f"{rng.randint(1, 199)} {rng.choice(_STREETS)}" if with_street else ""
    return Address(nfc(detail), commune_code, nfc(commune_name), province_code, nfc(province_name))


def _citizen(rng: random.Random, index: int) -> Citizen:
    sex = "Nam" if index % 2 == 0 else "Nữ"
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 20_800))
    family = rng.choice(_HO + _HO_MORE if index % 3 == 0 else _HO)
    name = f"{family} {rng.choice(_DEM[sex])} {rng.choice(_TEN[sex])}"
    # Century-and-sex digit of the citizen-number layout: 0/1 born 1900s, 2/3 born 2000s.
    century_sex = (0 if birth.year < 2000 else 2) + (0 if sex == "Nam" else 1)
    number = f"046{century_sex}{birth.year % 100:02d}{rng.randrange(1_000_000):06d}"
    permanent = _address(rng, with_street=True, home=True)
    moved = rng.random() < 0.3
    return Citizen(
        number=number,
        full_name=nfc(name),
        sex=nfc(sex),
        # Every fifth person's day of birth is unknown: the register holds the year alone.
        birth=str(birth.year) if index % 5 == 4 else birth.strftime("%Y%m%d"),
        ethnicity=nfc(rng.choice(_DAN_TOC)),
        religion=nfc(rng.choice(_TON_GIAO)),
        hometown=_address(rng, with_street=False, home=False),
        permanent=permanent,
        current=_address(rng, with_street=True, home=True) if moved else permanent,
    )


def synthetic_register(*, size: int, seed: int) -> tuple[Citizen, ...]:
    """`size` synthetic citizens, the same ones for the same seed, numbers all distinct."""
    rng = random.Random(seed)
    people: dict[str, Citizen] = {}
    index = 0
    while len(people) < size:
        person = _citizen(rng, index)
        people.setdefault(person.number, person)
        index += 1
    return tuple(people.values())
