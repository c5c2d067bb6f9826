"""Codes of electronic documents (Decree 30/2020/NĐ-CP on clerical work).

Document types are the 27 of Appendix III with their abbreviations, plus the công văn, whose ký hiệu
carries no type abbreviation (`123/UBND-VP`). The incoming states are the status codes of the
national document exchange (QCVN 102:2016 status messages), so telling a sender where their document
stands is a copy of the code, not a mapping."""

from __future__ import annotations

from django.db import models


class DocumentType(models.TextChoices):
    NGHI_QUYET = "NQ", "Nghị quyết"
    QUYET_DINH = "QĐ", "Quyết định"
    CHI_THI = "CT", "Chỉ thị"
    QUY_CHE = "QC", "Quy chế"
    QUY_DINH = "QyĐ", "Quy định"
    THONG_CAO = "TC", "Thông cáo"
    THONG_BAO = "TB", "Thông báo"
    HUONG_DAN = "HD", "Hướng dẫn"
    CHUONG_TRINH = "CTr", "Chương trình"
    KE_HOACH = "KH", "Kế hoạch"
    PHUONG_AN = "PA", "Phương án"
    DE_AN = "ĐA", "Đề án"
    DU_AN = "DA", "Dự án"
    BAO_CAO = "BC", "Báo cáo"
    BIEN_BAN = "BB", "Biên bản"
    TO_TRINH = "TTr", "Tờ trình"
    HOP_DONG = "HĐ", "Hợp đồng"
    CONG_DIEN = "CĐ", "Công điện"
    BAN_GHI_NHO = "BGN", "Bản ghi nhớ"
    BAN_THOA_THUAN = "BTT", "Bản thỏa thuận"
    GIAY_UY_QUYEN = "GUQ", "Giấy ủy quyền"
    GIAY_MOI = "GM", "Giấy mời"
    GIAY_GIOI_THIEU = "GGT", "Giấy giới thiệu"
    GIAY_NGHI_PHEP = "GNP", "Giấy nghỉ phép"
    PHIEU_GUI = "PG", "Phiếu gửi"
    PHIEU_CHUYEN = "PC", "Phiếu chuyển"
    PHIEU_BAO = "PB", "Phiếu báo"
    CONG_VAN = "CV", "Công văn"


# The type's abbreviation in the ký hiệu is its value; a công văn has none.
def type_abbreviation(doc_type: str) -> str:
    return "" if doc_type == DocumentType.CONG_VAN else doc_type


class Urgency(models.TextChoices):
    """Mức độ khẩn. The values are edXML's OtherInfo/Priority codes."""

    NORMAL = "0", "Thường"
    URGENT = "1", "Khẩn"
    VERY_URGENT = "2", "Thượng khẩn"
    FLASH = "3", "Hỏa tốc"


class Confidentiality(models.TextChoices):
    NORMAL = "normal", "Thường"
    SECRET = "secret", "Mật"


class Direction(models.TextChoices):
    OUTGOING = "out", "Văn bản đi"
    INCOMING = "in", "Văn bản đến"


class OutgoingState(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    HEAD_REVIEW = "head_review", "Chờ lãnh đạo đơn vị soạn thảo duyệt"
    FORMAT_CHECK = "format_check", "Chờ kiểm tra thể thức"
    PENDING_SIGNATURE = "pending_signature", "Chờ ký"
    SIGNED = "signed", "Đã ký, chờ cấp số"
    NUMBERED = "numbered", "Đã cấp số, chờ ký số cơ quan"
    SEALED = "sealed", "Đã ký số cơ quan, chờ phát hành"
    ISSUED = "issued", "Đã phát hành"
    FILED = "filed", "Đã lưu hồ sơ"
    RECALLED = "recalled", "Đã thu hồi"


class OutgoingAction(models.TextChoices):
    CREATE = "create", "Tạo dự thảo"
    EDIT = "edit", "Sửa dự thảo"
    SUBMIT = "submit", "Trình duyệt"
    APPROVE = "approve", "Duyệt"
    SEND_BACK = "send-back", "Trả lại để sửa"
    SIGN = "sign", "Ký số"
    NUMBER = "number", "Cấp số, vào sổ"
    SEAL = "seal", "Ký số cơ quan"
    ISSUE = "issue", "Phát hành"
    FILE = "file", "Lưu hồ sơ"
    RECALL = "recall", "Thu hồi"
    CORRECT = "correct", "Đính chính"


class IncomingState(models.TextChoices):
    """The national exchange's status codes."""

    ARRIVED = "01", "Đã đến"
    REFUSED = "02", "Từ chối tiếp nhận"
    ACCEPTED = "03", "Đã tiếp nhận, vào sổ"
    AWAITING_ASSIGNMENT = "04", "Chờ phân công xử lý"
    ASSIGNED = "05", "Đã phân công, đang xử lý"
    DONE = "06", "Đã hoàn thành"


class IncomingAction(models.TextChoices):
    ARRIVE = "arrive", "Văn bản đến"
    ACCEPT = "accept", "Tiếp nhận, vào sổ"
    REFUSE = "refuse", "Từ chối tiếp nhận"
    SUBMIT = "submit", "Trình lãnh đạo"
    DIRECT = "direct", "Chỉ đạo, phân công"
    COMPLETE = "complete", "Hoàn thành xử lý"


class ExchangeStatus(models.TextChoices):
    """Every status code a sender may see for one of its recipients (the incoming states, plus the
    recall/update answers of the exchange)."""

    ARRIVED = "01", "Đã đến"
    REFUSED = "02", "Từ chối tiếp nhận"
    ACCEPTED = "03", "Đã tiếp nhận"
    AWAITING_ASSIGNMENT = "04", "Chờ phân công xử lý"
    ASSIGNED = "05", "Đã phân công xử lý"
    DONE = "06", "Đã hoàn thành"
    RECALL = "13", "Thu hồi"
    AGREE = "15", "Đồng ý thu hồi / cập nhật"
    REFUSE_RECALL = "16", "Từ chối thu hồi / cập nhật"
    SENT = "00", "Đã gửi"


class Source(models.TextChoices):
    """Where an incoming document came from."""

    INTERNAL = "internal", "Trong hệ thống Sen"
    EDXML = "edxml", "Liên thông (edXML)"
    PAPER = "paper", "Văn bản giấy"


class FileRole(models.TextChoices):
    DRAFT = "draft", "Bản dự thảo"
    SIGNED = "signed", "Bản đã ký (lớp 1)"
    FINAL = "final", "Bản phát hành (hai chữ ký số)"
    APPENDIX = "appendix", "Phụ lục"
    APPENDIX_SIGNED = "appendix_signed", "Phụ lục đã ký số cơ quan"
    RECEIVED = "received", "Tệp văn bản đến"


class NoticeKind(models.TextChoices):
    RECALL = "recall", "Thu hồi"
    REPLACE = "replace", "Thay thế"
    CORRECT = "correct", "Đính chính"
