"""The consent text the citizen confirms, and the version a confirmation names.

The text is versioned by its SHA-256: the consent record keeps the hash of exactly the text the
citizen was shown, so a later change of wording never rewrites what an earlier citizen agreed to.
The text is Vietnamese only: it is the legal wording, shown on the citizen window as written.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from kiosk.domain.evidence import ConsentRecord
from kiosk.domain.users import User

CONSENT_TEXT_VI = (
    "Tôi xác nhận các thông tin hiển thị ở trên là thông tin của tôi và đồng ý để Công an xã "
    "sử dụng dữ liệu từ thẻ Căn cước/Căn cước công dân gắn chip, ảnh chân dung chụp tại quầy, "
    "giấy phép lái xe và thẻ bảo hiểm y tế (nếu có), số điện thoại và thư điện tử của tôi để "
    "đăng ký tài khoản định danh điện tử mức 2. Dữ liệu được mã hóa, chỉ chuyển đến máy chủ "
    "định danh điện tử và được xóa khỏi máy tại quầy sau khi hồ sơ được xử lý."
)
"""What the citizen reads on their window before confirming."""


def consent_text_sha256(text: str = CONSENT_TEXT_VI) -> str:
    """The version of ``text``: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def consent_record(officer: User, confirmed_at: datetime) -> ConsentRecord:
    """A citizen confirming the current text at ``confirmed_at``, with ``officer`` present."""
    return ConsentRecord(consent_text_sha256(), confirmed_at, officer.id)
