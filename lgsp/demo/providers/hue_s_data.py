"""The Hue-S demo store's seed: field reports of a Huế-like city, invented, in NFC.

Every report matches `phan-anh-hien-truong/v1` (a unit test checks it). Dates are fixed, so
every start of the demo serves the same reports; the reporters are invented people.
"""

from __future__ import annotations

from typing import Any

THANH_PHO_HUE = "000.00.21.H57"  # Ủy ban nhân dân thành phố Huế
SO_TNMT = "000.00.12.H57"  # Sở Tài nguyên và Môi trường
SO_GTVT = "000.00.13.H57"  # Sở Giao thông vận tải
SO_XAY_DUNG = "000.00.15.H57"  # Sở Xây dựng

TRAT_TU_DO_THI = (3, "Trật tự đô thị")
MOI_TRUONG = (7, "Môi trường")
GIAO_THONG = (12, "Giao thông")
HA_TANG = (15, "Hạ tầng đô thị")


def _report(
    report_id: int,
    category: tuple[int, str],
    *,
    title: str,
    content: str,
    when: str,
    lon: float,
    lat: float,
    address: str,
    unit: str,
    deadline: str,
    reporter: dict[str, str],
    answer: tuple[str, str] | None = None,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "PhanAnhID": report_id,
        "ChuyenMucID": category[0],
        "TenChuyenMuc": category[1],
        "TieuDe": title,
        "NoiDungPhanAnh": content,
        "NgayPhanAnh": when,
        "KinhDo": lon,
        "ViDo": lat,
        "DiaChiSuKien": address,
        "DonViThuLy": unit,
        "DenNgay": deadline,
        # Not confirmed from a public text; the demo uses 2 in handling and 4 answered.
        "TrangThai": 2 if answer is None else 4,
        "CongKhai": True,
        "NguoiPhanAnh": reporter,
    }
    if answer is not None:
        report["NoiDungTraLoi"], report["NgayTraLoi"] = answer
    return report


SEED_REPORTS: tuple[dict[str, Any], ...] = (
    _report(
        184201,
        TRAT_TU_DO_THI,
        title="Lấn chiếm vỉa hè trên đường Lê Lợi",
        content="Nhiều quán cà phê đặt bàn ghế kín vỉa hè đoạn trước trường Quốc Học, "
        "người đi bộ phải xuống lòng đường.",
        when="20240302083012",
        lon=107.5809,
        lat=16.4637,
        address="12 Lê Lợi, phường Vĩnh Ninh, thành phố Huế",
        unit=THANH_PHO_HUE,
        deadline="20240305170000",
        reporter={"TaiKhoan": "hues-user-58812", "HoVaTen": "Nguyễn Thị Hồng Nhung"},
        answer=(
            "UBND phường Vĩnh Ninh đã phối hợp với đội trật tự đô thị xử lý, yêu cầu các hộ "
            "kinh doanh thu dọn bàn ghế.",
            "20240304101500",
        ),
    ),
    _report(
        184202,
        MOI_TRUONG,
        title="Rác thải tồn đọng ven sông Hương",
        content="Rác sinh hoạt đổ dồn ở bờ sông gần bến thuyền Tòa Khâm, bốc mùi hôi nhiều ngày.",
        when="20240303071500",
        lon=107.5874,
        lat=16.4701,
        address="Bến thuyền Tòa Khâm, đường Lê Lợi, thành phố Huế",
        unit=SO_TNMT,
        deadline="20240306170000",
        reporter={"TaiKhoan": "hues-user-10007"},
        answer=(
            "Công ty Môi trường và Công trình đô thị Huế đã thu gom toàn bộ rác trong ngày "
            "04/3/2024.",
            "20240304160000",
        ),
    ),
    _report(
        184203,
        GIAO_THONG,
        title="Đèn tín hiệu giao lộ Hùng Vương - Bà Triệu không hoạt động",
        content="Đèn đỏ ở hướng từ cầu Trường Tiền về chợ Bến Ngự tắt từ sáng, xe cộ ùn ứ giờ "
        "cao điểm.",
        when="20240305071500",
        lon=107.5952,
        lat=16.4601,
        address="Ngã tư Hùng Vương - Bà Triệu, thành phố Huế",
        unit=SO_GTVT,
        deadline="20240306170000",
        reporter={"TaiKhoan": "hues-user-20417", "SoDienThoai": "0905123456"},
    ),
    _report(
        184204,
        HA_TANG,
        title="Hố ga mất nắp trên đường Nguyễn Huệ",
        content="Hố ga trước số nhà 45 bị mất nắp, rất nguy hiểm cho xe máy vào ban đêm.",
        when="20240307213000",
        lon=107.5893,
        lat=16.4612,
        address="45 Nguyễn Huệ, phường Vĩnh Ninh, thành phố Huế",
        unit=SO_XAY_DUNG,
        deadline="20240308170000",
        reporter={"TaiKhoan": "hues-user-33150", "HoVaTen": "Trần Văn Bình"},
        answer=(
            "Đơn vị quản lý hạ tầng đã lắp nắp hố ga mới và cắm biển cảnh báo.",
            "20240308090000",
        ),
    ),
    _report(
        184205,
        TRAT_TU_DO_THI,
        title="Quảng cáo rao vặt dán trên cột điện đường Trần Hưng Đạo",
        content="Hàng chục tờ quảng cáo khoan cắt bê tông, cho vay tiền dán dày đặc trên cột "
        "điện và tường nhà.",
        when="20240311094500",
        lon=107.5832,
        lat=16.4722,
        address="Đường Trần Hưng Đạo, phường Phú Hòa, thành phố Huế",
        unit=THANH_PHO_HUE,
        deadline="20240315170000",
        reporter={"TaiKhoan": "hues-user-41023"},
    ),
    _report(
        184206,
        MOI_TRUONG,
        title="Khói bụi từ cơ sở đốt rác ở phường Thủy Phương",
        content="Chiều tối có khói đen bốc lên từ bãi đất trống, người dân xung quanh bị ho, "
        "cay mắt.",
        when="20240312180500",
        lon=107.6354,
        lat=16.4216,
        address="Tổ dân phố 5, phường Thủy Phương, thị xã Hương Thủy",
        unit=SO_TNMT,
        deadline="20240315170000",
        reporter={"TaiKhoan": "hues-user-52290", "Email": "cu.dan.thuy.phuong@example.invalid"},
    ),
    _report(
        184207,
        GIAO_THONG,
        title="Ổ gà lớn trên cầu Phú Xuân",
        content="Mặt đường phía nam cầu Phú Xuân có ổ gà sâu khoảng 10 cm, nhiều xe máy suýt ngã.",
        when="20240314065000",
        lon=107.5780,
        lat=16.4655,
        address="Cầu Phú Xuân, thành phố Huế",
        unit=SO_GTVT,
        deadline="20240318170000",
        reporter={"TaiKhoan": "hues-user-60871"},
        answer=("Sở Giao thông vận tải đã chỉ đạo vá ổ gà trong đêm 15/3/2024.", "20240316080000"),
    ),
    _report(
        184208,
        HA_TANG,
        title="Đèn chiếu sáng công viên Thương Bạc không sáng",
        content="Cả dãy đèn trong công viên ven sông tắt nhiều tối liền, khu vực tối om.",
        when="20240318201000",
        lon=107.5901,
        lat=16.4735,
        address="Công viên Thương Bạc, đường Huỳnh Thúc Kháng, thành phố Huế",
        unit=SO_XAY_DUNG,
        deadline="20240322170000",
        reporter={"TaiKhoan": "hues-user-70034", "HoVaTen": "Lê Thị Mai"},
    ),
    _report(
        184209,
        TRAT_TU_DO_THI,
        title="Xe tải đỗ chiếm lòng đường Phan Đình Phùng",
        content="Xe tải chở vật liệu đỗ dưới lòng đường suốt buổi sáng, gây ùn tắc trước trường "
        "học.",
        when="20240320070500",
        lon=107.5868,
        lat=16.4589,
        address="Đường Phan Đình Phùng, phường Vĩnh Ninh, thành phố Huế",
        unit=THANH_PHO_HUE,
        deadline="20240322170000",
        reporter={"TaiKhoan": "hues-user-81162"},
        answer=("Công an phường đã nhắc nhở và yêu cầu di chuyển phương tiện.", "20240320110000"),
    ),
    _report(
        184210,
        MOI_TRUONG,
        title="Nước thải chảy tràn ra mương ở Phú Bài",
        content="Mương thoát nước cạnh khu công nghiệp có nước đen, nổi bọt và có mùi lạ.",
        when="20240322090000",
        lon=107.6893,
        lat=16.3967,
        address="Phường Phú Bài, thị xã Hương Thủy",
        unit=SO_TNMT,
        deadline="20240327170000",
        reporter={"TaiKhoan": "hues-user-90245", "SoDienThoai": "+84914567890"},
    ),
    _report(
        184211,
        GIAO_THONG,
        title="Biển báo bị che khuất tại đường Điện Biên Phủ",
        content="Cây xanh mọc che kín biển báo hạn chế tốc độ gần ngã ba Tam Thai.",
        when="20240325163000",
        lon=107.5851,
        lat=16.4513,
        address="Đường Điện Biên Phủ, phường Trường An, thành phố Huế",
        unit=SO_GTVT,
        deadline="20240329170000",
        reporter={"TaiKhoan": "hues-user-10391"},
    ),
    _report(
        184212,
        TRAT_TU_DO_THI,
        title="Buôn bán lấn chiếm lối đi chợ Đông Ba",
        content="Các sạp hàng bày tràn ra lối đi phía cổng chợ Đông Ba, xe cứu hỏa khó tiếp cận.",
        when="20240328080000",
        lon=107.5881,
        lat=16.4727,
        address="Chợ Đông Ba, 2 Trần Hưng Đạo, thành phố Huế",
        unit=THANH_PHO_HUE,
        deadline="20240402170000",
        reporter={"TaiKhoan": "hues-user-11473", "HoVaTen": "Tôn Nữ Thị Hạnh"},
    ),
)
