"""The citizen's papers: the slip at submission and the receipt (giấy biên nhận) after approval.

Both say what was received, by whom, where and when (Vietnam's time), what the citizen does next
(the VNeID SMS, activating the account in the app, logging in to the national public-service
portal), and carry the signed token as a QR code and in the PDF's metadata. The printed text is
Vietnamese only: it is an official paper of a Vietnamese police unit, whatever language the
counter's screen shows. The ID number is partly masked: the paper leaves with the citizen and may
be lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.clock import to_local
from kiosk.receipts.layout import MARGIN_MM, PAGE_WIDTH_MM, Align, Metadata, Sheet
from kiosk.receipts.payload import ReceiptKind

TITLES = {ReceiptKind.SLIP: "PHIẾU TIẾP NHẬN HỒ SƠ", ReceiptKind.RECEIPT: "GIẤY BIÊN NHẬN"}
SUBTITLE = "Đăng ký tài khoản định danh điện tử mức độ 2"
NEXT_STEPS_HEADING = "Các bước tiếp theo"
NEXT_STEPS = (
    "Chờ tin nhắn SMS từ VNeID (Bộ Công an) gửi đến số điện thoại đã đăng ký, thông báo kết quả "
    "và mật khẩu kích hoạt.",
    "Cài đặt ứng dụng VNeID, đăng nhập bằng số định danh cá nhân và mật khẩu trong tin nhắn để "
    "kích hoạt tài khoản định danh điện tử.",
    "Dùng tài khoản VNeID để đăng nhập Cổng Dịch vụ công quốc gia (dichvucong.gov.vn).",
)
STATES = {
    ReceiptKind.SLIP: "Đã tiếp nhận, đang chờ phê duyệt",
    ReceiptKind.RECEIPT: "Đã phê duyệt",
}
DEMO_NOTICE = "BẢN DEMO - KHÔNG CÓ GIÁ TRỊ SỬ DỤNG"
_VISIBLE_HEAD, _VISIBLE_TAIL = 3, 3


@dataclass(frozen=True, slots=True)
class Person:
    """An officer as printed: full name and police service number (số hiệu)."""

    full_name: str
    service_number: str


@dataclass(frozen=True, slots=True)
class ReceiptContent:
    """Everything printed on one slip or receipt (the services gather it).

    Attributes:
        number: the application number as printed (station code and a short id).
        received_at: when the application was submitted, UTC (printed in Vietnam's time).
        approved_by: the supervisor, on a receipt; None on a slip.
        token: the signed compact JWS for the QR code and the metadata.
    """

    kind: ReceiptKind
    number: str
    application_id: str
    full_name: str
    id_number: str
    received_at: datetime
    unit_name: str
    counter: int
    station: str
    received_by: Person
    approved_by: Person | None
    issued_at: datetime
    demo: bool
    token: str


def mask_id_number(id_number: str) -> str:
    """The 12-digit number with all but its first three and last three digits hidden."""
    hidden = len(id_number) - _VISIBLE_HEAD - _VISIBLE_TAIL
    return id_number[:_VISIBLE_HEAD] + "*" * hidden + id_number[-_VISIBLE_TAIL:]


def local_time(moment: datetime) -> str:
    """``moment`` as a Vietnamese reader writes it, in Asia/Ho_Chi_Minh: ``HH:MM dd/mm/yyyy``."""
    return to_local(moment).strftime("%H:%M %d/%m/%Y")


def render_receipt(content: ReceiptContent) -> bytes:
    """The one-page A4 PDF of ``content``; its ``/Subject`` holds the token."""
    title = f"{TITLES[content.kind].capitalize()} {content.number}"
    sheet = Sheet(Metadata(title, content.token, content.unit_name))
    if content.demo:
        sheet.watermark("DEMO")
    y = _letterhead(sheet, content)
    y = _fields(sheet, content, y + 10)
    y = _next_steps(sheet, y + 6)
    _code(sheet, content, y + 6)
    return sheet.finish()


def _letterhead(sheet: Sheet, content: ReceiptContent) -> float:
    left, right = MARGIN_MM + 35, PAGE_WIDTH_MM - MARGIN_MM - 48
    sheet.text(left, 22, "BỘ CÔNG AN", size=9, align=Align.CENTRE)
    sheet.text(left, 27, content.unit_name.upper(), size=9, bold=True, align=Align.CENTRE)
    sheet.text(
        right, 22, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=9, bold=True, align=Align.CENTRE
    )
    sheet.text(right, 27, "Độc lập - Tự do - Hạnh phúc", size=9, bold=True, align=Align.CENTRE)
    centre = PAGE_WIDTH_MM / 2
    y = 45.0
    if content.demo:
        sheet.text(centre, 37, DEMO_NOTICE, size=11, bold=True, align=Align.CENTRE)
    sheet.text(centre, y, TITLES[content.kind], size=18, bold=True, align=Align.CENTRE)
    sheet.text(centre, y + 7, SUBTITLE, size=11, align=Align.CENTRE)
    return y + 7


def _fields(sheet: Sheet, content: ReceiptContent, y: float) -> float:
    rows = [
        ("Số hồ sơ", content.number),
        ("Họ và tên", content.full_name),
        ("Số định danh cá nhân", mask_id_number(content.id_number)),
        ("Thời gian tiếp nhận", f"{local_time(content.received_at)} (giờ Việt Nam)"),
        ("Đơn vị tiếp nhận", f"{content.unit_name}, quầy số {content.counter}"),
        ("Cán bộ tiếp nhận", _person(content.received_by)),
    ]
    if content.approved_by is not None:
        rows.append(("Người phê duyệt", _person(content.approved_by)))
    rows.append(("Tình trạng hồ sơ", STATES[content.kind]))
    rows.append(("Thời gian in", f"{local_time(content.issued_at)}"))
    for label, value in rows:
        sheet.text(MARGIN_MM, y, f"{label}:", size=11)
        y = sheet.wrapped(MARGIN_MM + 50, y, PAGE_WIDTH_MM - 2 * MARGIN_MM - 50, value, size=11)
        y += 2
    return y


def _person(person: Person) -> str:
    return f"{person.full_name} (số hiệu {person.service_number})"


def _next_steps(sheet: Sheet, y: float) -> float:
    sheet.text(MARGIN_MM, y, NEXT_STEPS_HEADING, size=12, bold=True)
    y += 7
    for number, step in enumerate(NEXT_STEPS, start=1):
        sheet.text(MARGIN_MM, y, f"{number}.", size=10.5)
        y = sheet.wrapped(MARGIN_MM + 6, y, PAGE_WIDTH_MM - 2 * MARGIN_MM - 6, step, size=10.5)
        y += 1.5
    return y


def _code(sheet: Sheet, content: ReceiptContent, y: float) -> None:
    side = 50.0
    sheet.qr(MARGIN_MM, y, side, content.token)
    text_x, width = MARGIN_MM + side + 6, PAGE_WIDTH_MM - 2 * MARGIN_MM - side - 6
    note = (
        "Mã QR mang chữ ký số của máy tiếp nhận "
        f"{content.station}. Quét mã để kiểm tra giấy này có đúng do đơn vị cấp và chưa bị sửa."
    )
    after = sheet.wrapped(text_x, y + 8, width, note, size=9.5)
    sheet.wrapped(text_x, after + 2, width, f"Mã hồ sơ: {content.application_id}", size=8)
