"""Payload factories for the simulator's tests: look-ups, dossier batches, edXML packages."""

from __future__ import annotations

import json
from typing import Any

EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
# NFC text with the letters that go wrong first (ư, ơ, ạ, ế, ồ, đ): it must come back byte-equal.
SUBJECT = "Về việc đề nghị hỗ trợ kinh phí khắc phục hậu quả lũ lụt ở Thừa Thiên Huế"


def lookup(citizen: dict[str, Any], **changes: str) -> dict[str, str]:
    """A look-up request for `citizen` (a register entry), with `changes`."""
    fields = {
        "MaYeuCau": "YC-0001",
        "MaDVC": "1.001234",
        "MaTichHop": "037",
        "MaCanBo": "canbo.h57.001",
        "MaDonVi": "000.00.00.H57",
        "SoDinhDanh": citizen["SoDinhDanh"],
        "HoVaTen": citizen["HoVaTen"],
        "NgayThangNamSinh": citizen["NgayThangNamSinh"],
    }
    fields.update(changes)
    return fields


def dossier(code: str = "H57.HS.000001", status: str = "1", **changes: Any) -> dict[str, Any]:
    """One dossier record of a `DongBoHoSoMC` batch."""
    record: dict[str, Any] = {
        "MaHoSo": code,
        "MaTTHC": "1.011442.000.00.00.H57",
        "TenTTHC": "Đăng ký khai sinh",
        "MaLinhVuc": "HT",
        "TenLinhVuc": "Hộ tịch",
        "LoaiDoiTuong": "1",
        "Email": "",
        "SoDienThoai": "0905123456",
        "TrichYeuHoSo": "Đăng ký khai sinh cho con: Nguyễn Ngọc Ánh",
        "NgayTiepNhan": "20250301083000",
        "NgayHenTra": "20250305170000",
        "TrangThaiHoSo": status,
        "HinhThuc": "1",
        "DonViXuLy": "UBND Phường Thuận Hóa",
    }
    record.update(changes)
    return record


def step(code: str, status: str, at: str) -> dict[str, str]:
    """One progress step of a `CapNhatTienDoHoSoMC` batch."""
    return {
        "MaHoSo": code,
        "NguoiXuLy": "Trần Thị Hương",
        "ThoiDiemXuLy": at,
        "NoiDungXuLy": "Chuyển xử lý",
        "TrangThai": status,
    }


def envelope(service: str, records: list[dict[str, Any]], *, updating: bool = False) -> bytes:
    """A dossier-sync envelope around `records`, as UTF-8 JSON (non-ASCII unescaped)."""
    body = {
        "session": "phien-0123456789",
        "madonvi": "000.00.00.H57",
        "service": service,
        "isUpdating": "True" if updating else "False",
        "data": records,
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def edxml(*, subject: str = SUBJECT, prefix: str = "edXML", wrapped: bool = True) -> bytes:
    """An edXML package from the Huế People's Committee to Quảng Ninh's, one attachment."""
    p = prefix
    envelope = f"""<{p}:edXMLEnvelope xmlns:{p}="{EDXML_NS}">
  <{p}:edXMLHeader>
    <{p}:MessageHeader>
      <{p}:From><{p}:OrganId>000.00.00.H57</{p}:OrganId>
        <{p}:OrganName>UBND tỉnh Thừa Thiên Huế</{p}:OrganName></{p}:From>
      <{p}:To><{p}:OrganId>000.00.00.H49</{p}:OrganId></{p}:To>
      <{p}:Code><{p}:CodeNumber>125</{p}:CodeNumber>
        <{p}:CodeNotation>UBND-VP</{p}:CodeNotation></{p}:Code>
      <{p}:PromulgationInfo><{p}:Place>Huế</{p}:Place>
        <{p}:PromulgationDate>2025/03/01</{p}:PromulgationDate></{p}:PromulgationInfo>
      <{p}:DocumentType><{p}:Type>1</{p}:Type>
        <{p}:TypeName>Công văn</{p}:TypeName></{p}:DocumentType>
      <{p}:Subject>{subject}</{p}:Subject>
      <{p}:OtherInfo><{p}:Priority>0</{p}:Priority></{p}:OtherInfo>
    </{p}:MessageHeader>
  </{p}:edXMLHeader>
  <{p}:edXMLBody>
    <{p}:edXMLManifest><{p}:Reference><{p}:ContentId>cid:1</{p}:ContentId></{p}:Reference>
    </{p}:edXMLManifest>
    <{p}:Attachment><{p}:ContentId>cid:1</{p}:ContentId><{p}:Content>SGVsbG8=</{p}:Content>
    </{p}:Attachment>
  </{p}:edXMLBody>
</{p}:edXMLEnvelope>"""
    if wrapped:
        envelope = f'<edXML xmlns="{EDXML_NS}">\n{envelope}\n</edXML>'
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + envelope).encode("utf-8")
