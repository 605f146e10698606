"""What the user is told, for every error code: title, what happened, what to do.

One catalogue shared by the desktop app and the command line (Electrum's ``gui/messages.py``
idea), written in plain Vietnamese for officers and citizens; English comes from the gettext
catalogue. Parameters are filled in by name and never carry personal data.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from kiosk.domain.errors import CodedError, ErrorCode
from kiosk.i18n import N_, _, translation


@dataclass(frozen=True, slots=True)
class UserMessage:
    """A message ready to show: each part already in the chosen language."""

    code: ErrorCode
    title: str
    what: str
    todo: str

    def as_line(self) -> str:
        """One line for the command line's standard error."""
        return f"{self.title}: {self.what} {self.todo}".strip()


_CATALOGUE: dict[ErrorCode, tuple[str, str, str]] = {
    ErrorCode.USAGE: (
        N_("Lệnh không đúng"),
        N_("Lệnh hoặc tham số không hợp lệ: {detail}."),
        N_("Xem hướng dẫn bằng tùy chọn --help."),
    ),
    ErrorCode.CONFIG_INVALID: (
        N_("Cấu hình máy không hợp lệ"),
        N_("Mục cấu hình «{key}» không hợp lệ: {reason}."),
        N_("Báo cán bộ kỹ thuật sửa tệp cấu hình rồi khởi động lại."),
    ),
    ErrorCode.CONFIG_MISSING: (
        N_("Máy chưa được cài đặt"),
        N_("Không tìm thấy tệp cấu hình máy; chỉ chạy được ở chế độ trình diễn."),
        N_("Báo cán bộ kỹ thuật hoàn tất cài đặt, hoặc chạy với --demo."),
    ),
    ErrorCode.INTERNAL: (
        N_("Lỗi không mong muốn"),
        N_("Phần mềm gặp lỗi không mong muốn (mã sự cố {incident})."),
        N_("Dữ liệu đã lưu không bị mất. Thử lại; nếu còn lỗi, báo cán bộ kỹ thuật mã sự cố."),
    ),
    ErrorCode.LOGIN_FAILED: (
        N_("Đăng nhập không thành công"),
        N_("Tên đăng nhập hoặc mật khẩu không đúng."),
        N_("Nhập lại. Tài khoản sẽ bị khóa tạm thời nếu nhập sai nhiều lần."),
    ),
    ErrorCode.ACCOUNT_LOCKED: (
        N_("Tài khoản đang bị khóa"),
        N_("Tài khoản bị khóa do nhập sai mật khẩu nhiều lần."),
        N_("Chờ {minutes} phút hoặc nhờ quản trị viên mở khóa."),
    ),
    ErrorCode.ACCOUNT_DISABLED: (
        N_("Tài khoản đã bị vô hiệu hóa"),
        N_("Tài khoản này không còn được phép sử dụng máy."),
        N_("Liên hệ quản trị viên."),
    ),
    ErrorCode.PERMISSION_DENIED: (
        N_("Không có quyền"),
        N_("Tài khoản của đồng chí không có quyền thực hiện việc này."),
        N_("Nhờ cán bộ có thẩm quyền thực hiện."),
    ),
    ErrorCode.FOUR_EYES: (
        N_("Cần người khác duyệt"),
        N_("Người tiếp nhận hồ sơ không được tự duyệt hồ sơ đó."),
        N_("Nhờ một lãnh đạo khác duyệt hồ sơ."),
    ),
    ErrorCode.VALIDATION_FAILED: (
        N_("Thông tin chưa hợp lệ"),
        N_("Trường «{field}» chưa hợp lệ."),
        N_("Kiểm tra và nhập lại."),
    ),
    ErrorCode.INVALID_TRANSITION: (
        N_("Không thực hiện được"),
        N_("Hồ sơ đang ở trạng thái không cho phép thao tác này."),
        N_("Tải lại hồ sơ để xem trạng thái hiện tại."),
    ),
    ErrorCode.NOT_FOUND: (
        N_("Không tìm thấy"),
        N_("Không tìm thấy hồ sơ hoặc mục được yêu cầu."),
        N_("Kiểm tra lại mã đã nhập."),
    ),
    ErrorCode.DATABASE_UNAVAILABLE: (
        N_("Không mở được cơ sở dữ liệu"),
        N_("Không truy cập được kho dữ liệu của máy."),
        N_("Không tắt máy. Báo cán bộ kỹ thuật ngay."),
    ),
    ErrorCode.KEY_UNAVAILABLE: (
        N_("Không mở được khóa mã hóa"),
        N_("Khóa bảo vệ dữ liệu bị thiếu, sai hoặc không được bảo vệ đúng cách."),
        N_("Không nhập lại dữ liệu. Báo cán bộ kỹ thuật khôi phục khóa."),
    ),
    ErrorCode.DATA_INTEGRITY: (
        N_("Dữ liệu bị hỏng"),
        N_("Một phần dữ liệu không vượt qua kiểm tra toàn vẹn."),
        N_("Báo cán bộ kỹ thuật; dữ liệu hỏng không được sử dụng."),
    ),
    ErrorCode.AUDIT_BROKEN: (
        N_("Nhật ký kiểm tra không toàn vẹn"),
        N_("Nhật ký bị sửa hoặc mất từ mục số {first_bad}."),
        N_("Báo ngay lãnh đạo đơn vị và cán bộ kỹ thuật."),
    ),
    ErrorCode.BACKUP_FAILED: (
        N_("Sao lưu không thành công"),
        N_("Không tạo hoặc không khôi phục được bản sao lưu."),
        N_("Kiểm tra ổ đĩa sao lưu rồi thử lại."),
    ),
    ErrorCode.READER_UNAVAILABLE: (
        N_("Không thấy đầu đọc thẻ"),
        N_("Đầu đọc thẻ chưa được cắm hoặc không hoạt động."),
        N_("Kiểm tra dây cắm đầu đọc rồi thử lại."),
    ),
    ErrorCode.READER_REFUSED: (
        N_("Đầu đọc không được phép"),
        N_("Đầu đọc ảo chỉ dùng được ở chế độ trình diễn."),
        N_("Dùng đầu đọc thật đã được cấu hình."),
    ),
    ErrorCode.NO_CARD: (
        N_("Chưa có thẻ"),
        N_("Chưa đặt thẻ lên đầu đọc."),
        N_("Đặt thẻ căn cước lên đầu đọc và giữ yên."),
    ),
    ErrorCode.CARD_REMOVED: (
        N_("Thẻ bị nhấc ra"),
        N_("Thẻ rời đầu đọc khi đang đọc."),
        N_("Đặt lại thẻ và giữ yên; việc đọc sẽ tiếp tục."),
    ),
    ErrorCode.CARD_REPLACED: (
        N_("Thẻ khác"),
        N_("Thẻ vừa đặt lại không phải thẻ đang đọc."),
        N_("Đặt lại đúng thẻ ban đầu, hoặc bắt đầu lại."),
    ),
    ErrorCode.CARD_NOT_EMRTD: (
        N_("Thẻ không có chip điện tử phù hợp"),
        N_("Thẻ này không có chip căn cước điện tử (thẻ mã vạch, CMND hoặc chip hỏng)."),
        N_("Không thể định danh mức 2 bằng thẻ này tại quầy. Hướng dẫn công dân đổi thẻ."),
    ),
    ErrorCode.ACCESS_KEY_INVALID: (
        N_("Thông tin mở chip không hợp lệ"),
        N_("Thông tin dùng để mở chip chưa đúng định dạng: {field}."),
        N_("Quét lại mã QR trên thẻ hoặc nhập lại số định danh."),
    ),
    ErrorCode.ACCESS_DENIED: (
        N_("Chip từ chối truy cập"),
        N_("Chip không chấp nhận khóa truy cập (số định danh hoặc ngày tháng chưa khớp)."),
        N_("Kiểm tra số định danh, ngày sinh và ngày hết hạn trên thẻ rồi thử lại."),
    ),
    ErrorCode.CHIP_PROTOCOL: (
        N_("Lỗi giao tiếp với chip"),
        N_("Chip trả lời không đúng giao thức ({step})."),
        N_("Giữ thẻ yên trên đầu đọc và thử lại."),
    ),
    ErrorCode.CHIP_DATA_MALFORMED: (
        N_("Dữ liệu chip không hợp lệ"),
        N_("Dữ liệu đọc từ chip không đúng cấu trúc ({file})."),
        N_("Đọc lại thẻ. Nếu vẫn lỗi, thẻ có thể bị hỏng hoặc bị làm giả."),
    ),
    ErrorCode.CHIP_NOT_GENUINE: (
        N_("Chip không xác thực được"),
        N_("Kiểm tra chống giả mạo của chip không đạt ({reason})."),
        N_("Không tiếp nhận hồ sơ. Báo lãnh đạo đơn vị."),
    ),
    ErrorCode.UPDATE_INVALID: (
        N_("Gói cập nhật không hợp lệ"),
        N_("Gói cập nhật không được cài vì: {reason}."),
        N_("Không cài gói này. Lấy lại gói và tệp chữ ký từ nguồn chính thức của tỉnh."),
    ),
    ErrorCode.UPDATE_FAILED: (
        N_("Cài cập nhật không thành công"),
        N_("Gói cập nhật hợp lệ nhưng trình cài đặt báo lỗi (mã {status})."),
        N_("Phiên bản cũ vẫn dùng được. Báo cán bộ kỹ thuật, gửi kèm gói hỗ trợ."),
    ),
    ErrorCode.TRUST_STORE_INVALID: (
        N_("Chứng thư số không hợp lệ"),
        N_("Tệp chứng thư số không nhập được: {reason}."),
        N_("Kiểm tra nguồn tệp và dấu vân tay chứng thư rồi thử lại."),
    ),
    ErrorCode.IMAGE_UNREADABLE: (
        N_("Không đọc được ảnh"),
        N_("Tệp ảnh bị hỏng hoặc không đúng định dạng."),
        N_("Chụp hoặc quét lại."),
    ),
    ErrorCode.IMAGE_TOO_LARGE: (
        N_("Ảnh quá lớn"),
        N_("Ảnh vượt quá kích thước cho phép."),
        N_("Chụp lại với độ phân giải thấp hơn."),
    ),
    ErrorCode.CAMERA_UNAVAILABLE: (
        N_("Không thấy camera"),
        N_("Camera chưa được cắm hoặc đang bị chương trình khác sử dụng."),
        N_("Kiểm tra dây cắm camera rồi thử lại."),
    ),
    ErrorCode.NO_FACE: (
        N_("Không thấy khuôn mặt"),
        N_("Không tìm thấy khuôn mặt nào trong ảnh."),
        N_("Mời công dân nhìn thẳng vào camera."),
    ),
    ErrorCode.MULTIPLE_FACES: (
        N_("Có nhiều khuôn mặt"),
        N_("Trong khung hình có nhiều hơn một người."),
        N_("Chỉ để một người trước camera."),
    ),
    ErrorCode.CARD_NOT_FOUND: (
        N_("Không thấy thẻ trong ảnh"),
        N_("Không tìm thấy thẻ trong ảnh quét."),
        N_("Đặt thẻ phẳng, đủ sáng, trong khung hình rồi quét lại."),
    ),
    ErrorCode.QR_INVALID: (
        N_("Mã QR không hợp lệ"),
        N_("Nội dung mã QR không đúng định dạng ({field})."),
        N_("Quét lại mã QR hoặc nhập thông tin bằng tay."),
    ),
    ErrorCode.SERVER_UNREACHABLE: (
        N_("Không kết nối được máy chủ"),
        N_("Không liên lạc được với máy chủ trung tâm."),
        N_("Hồ sơ vẫn được lưu an toàn và sẽ tự gửi khi có mạng."),
    ),
    ErrorCode.SERVER_REFUSED: (
        N_("Máy chủ từ chối hồ sơ"),
        N_("Máy chủ trung tâm không nhận hồ sơ: {reason}."),
        N_("Lãnh đạo xem lý do và xử lý hồ sơ."),
    ),
    ErrorCode.SERVER_AUTH: (
        N_("Máy chưa được máy chủ chấp nhận"),
        N_("Máy chủ trung tâm không xác nhận được máy này."),
        N_("Báo cán bộ kỹ thuật kiểm tra đăng ký máy."),
    ),
    ErrorCode.SERVER_CONFLICT: (
        N_("Xung đột dữ liệu với máy chủ"),
        N_("Máy chủ đã có một gói cùng mã nhưng nội dung khác."),
        N_("Báo cán bộ kỹ thuật ngay; không gửi lại thủ công."),
    ),
    ErrorCode.CLOCK_SKEW: (
        N_("Đồng hồ máy bị sai"),
        N_("Giờ của máy lệch với máy chủ hơn {minutes} phút."),
        N_("Báo cán bộ kỹ thuật chỉnh đồng hồ trước khi tiếp nhận hồ sơ."),
    ),
    ErrorCode.SIGNATURE_INVALID: (
        N_("Chữ ký số không hợp lệ"),
        N_("Dữ liệu nhận được không có chữ ký hợp lệ."),
        N_("Không sử dụng dữ liệu này. Báo cán bộ kỹ thuật."),
    ),
    ErrorCode.SERVER_KEY_MISMATCH: (
        N_("Máy chủ không đúng"),
        N_("Khóa của máy chủ không khớp với khóa đã đăng ký; không gửi dữ liệu đến máy này."),
        N_("Báo cán bộ kỹ thuật kiểm tra địa chỉ máy chủ và mạng."),
    ),
    ErrorCode.NOT_REGISTERED: (
        N_("Máy chưa đăng ký với máy chủ"),
        N_("Máy tiếp nhận chưa được đăng ký với máy chủ trung tâm; hồ sơ được giữ lại trên máy."),
        N_("Cán bộ kỹ thuật chạy lệnh «kiosk register» với mã mời của máy chủ."),
    ),
    ErrorCode.INVITE_INVALID: (
        N_("Mã mời không hợp lệ"),
        N_("Mã mời đăng ký không đúng, đã dùng hoặc đã hết hạn."),
        N_("Xin máy chủ trung tâm cấp mã mời mới rồi đăng ký lại."),
    ),
    ErrorCode.PRINTER_UNAVAILABLE: (
        N_("Không in được"),
        N_("Máy in chưa sẵn sàng."),
        N_("Kiểm tra máy in và giấy, hoặc lưu thành tệp PDF."),
    ),
    ErrorCode.RECEIPT_INVALID: (
        N_("Giấy biên nhận không hợp lệ"),
        N_("Mã trên giấy biên nhận không xác minh được."),
        N_("Giấy có thể bị sửa hoặc không do máy tiếp nhận cấp."),
    ),
}


class _Lenient(string.Formatter):
    """Fills the parameters it has; leaves a missing one as its name, never fails."""

    def get_value(self, key: int | str, args: object, kwargs: dict[str, object]) -> object:  # type: ignore[override]
        return kwargs.get(str(key), "?")


_FORMATTER = _Lenient()


def describe(
    error: CodedError | ErrorCode, language: str | None = None, **params: str | int
) -> UserMessage:
    """The message for ``error`` in ``language`` (default: the language in force).

    Args:
        error: a coded error (its params fill the text) or a bare code.
        language: "vi", "en", or None for the current language.
        params: extra values for the text, added to the error's own.
    """
    if isinstance(error, ErrorCode):
        code, values = error, dict(params)
    else:
        code, values = error.code, {**error.params, **params}
    title, what, todo = _CATALOGUE[code]
    tr = _ if language is None else translation(language).gettext
    for name, texts in _PARAM_TEXTS.get(code, {}).items():
        value = values.get(name)
        if isinstance(value, str) and value in texts:
            values[name] = tr(texts[value])
    return UserMessage(
        code,
        _FORMATTER.format(tr(title), **values),
        _FORMATTER.format(tr(what), **values),
        _FORMATTER.format(tr(todo), **values),
    )


UPDATE_REASONS: dict[str, str] = {
    "key_unreadable": N_("khóa cập nhật trong cấu hình hỏng"),
    "key_not_ed25519": N_("khóa cập nhật không phải Ed25519"),
    "signature_other_file": N_("chữ ký thuộc về một tệp khác"),
    "package_unreadable": N_("không đọc được tệp"),
    "package_altered": N_("nội dung tệp đã bị sửa"),
    "signature_wrong_key": N_("chữ ký không đúng khóa của tỉnh"),
    "version_older": N_("phiên bản cũ hơn phiên bản đang chạy"),
    "wrong_package_type": N_("sai loại tệp cài đặt"),
    "signature_unreadable": N_("không đọc được tệp chữ ký"),
    "signature_malformed": N_("tệp chữ ký sai định dạng"),
}
"""Why an update is refused (``kiosk.services.updates`` names the reason, this words it)."""

_PARAM_TEXTS: dict[ErrorCode, dict[str, dict[str, str]]] = {
    ErrorCode.UPDATE_INVALID: {"reason": UPDATE_REASONS},
}
"""Parameters that are codes below the UI, worded here in the message's language."""


def catalogue_codes() -> frozenset[ErrorCode]:
    """The codes that have a message; tests check that every code has one."""
    return frozenset(_CATALOGUE)


_GUIDANCE: dict[str, str] = {
    "face_camera": N_("Mời nhìn vào camera."),
    "one_person": N_("Chỉ một người đứng trước camera."),
    "move_closer": N_("Mời tiến lại gần hơn."),
    "move_back": N_("Mời lùi ra xa một chút."),
    "centre_face": N_("Mời đưa khuôn mặt vào giữa khung."),
    "more_light": N_("Chỗ đứng hơi tối, mời bước ra chỗ sáng hơn."),
    "less_light": N_("Ánh sáng quá chói, mời lùi khỏi chỗ sáng."),
    "even_light": N_("Mặt bị sáng không đều, mời quay về phía đèn."),
    "hold_still": N_("Mời giữ yên đầu."),
    "look_straight": N_("Mời nhìn thẳng vào camera."),
    "straighten_head": N_("Mời giữ đầu thẳng, không nghiêng."),
    "open_eyes": N_("Mời mở mắt tự nhiên."),
    "ready": N_("Tốt lắm, giữ nguyên."),
}
"""What the citizen is asked to do, by the face guidance's instruction code."""


def guidance_text(instruction: str, language: str | None = None) -> str:
    """The citizen's instruction for a guidance code, in plain words.

    Raises:
        KeyError: an instruction the catalogue does not know (a programming error).
    """
    tr = _ if language is None else translation(language).gettext
    return tr(_GUIDANCE[instruction])


def guidance_codes() -> frozenset[str]:
    """The instruction codes that have a text; tests check the face rules' codes against it."""
    return frozenset(_GUIDANCE)


_LIVENESS_CUES: dict[str, str] = {
    "blink": N_("Mời chớp mắt một lần."),
    "left": N_("Mời từ từ quay đầu sang trái, rồi nhìn lại camera."),
    "right": N_("Mời từ từ quay đầu sang phải, rồi nhìn lại camera."),
}
"""The liveness cue shown to the citizen, by action (the progress step ``liveness:<action>``)."""

_LIVENESS_ACTIONS: dict[str, str] = {
    "blink": N_("Chớp mắt"),
    "left": N_("Quay trái"),
    "right": N_("Quay phải"),
}

_LIVENESS_REASONS: dict[str, str] = {
    "not_done": N_("chưa thấy thực hiện"),
    "too_late": N_("thực hiện quá chậm"),
    "partial": N_("chưa đủ rõ"),
    "wrong_order": N_("sai thứ tự"),
    "too_early": N_("làm trước khi được yêu cầu"),
    "unexpected_turn": N_("quay đầu khi không được yêu cầu"),
    "not_reached": N_("chưa đến lượt"),
    "no_face": N_("Không thấy đúng một khuôn mặt trong phần lớn thời gian."),
    "flat_picture": N_("Khuôn mặt chuyển động như một tấm ảnh phẳng."),
    "no_blink": N_("Không thấy chớp mắt lần nào."),
    "screen_pattern": N_("Thấy vân của màn hình trên khuôn mặt."),
    "glare": N_("Khuôn mặt bị lóa sáng như sau kính hoặc giấy bóng."),
}


def liveness_cue(action: str, language: str | None = None) -> str:
    """What the citizen is asked to do for a liveness action (``blink``, ``left``, ``right``).

    Raises:
        KeyError: an action the catalogue does not know (a programming error).
    """
    tr = _ if language is None else translation(language).gettext
    return tr(_LIVENESS_CUES[action])


def liveness_reason(code: str, language: str | None = None) -> str:
    """The officer's text for a liveness reason code (``no_blink``, ``left_too_late``, ...).

    Raises:
        KeyError: a code the catalogue does not know (a programming error).
    """
    tr = _ if language is None else translation(language).gettext
    if code in _LIVENESS_REASONS:
        return tr(_LIVENESS_REASONS[code])
    action, _sep, failure = code.partition("_")
    return f"{tr(_LIVENESS_ACTIONS[action])}: {tr(_LIVENESS_REASONS[failure])}"
