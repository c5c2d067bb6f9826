"""Codes of electronic documents (Decree 30/2020/NĐ-CP on clerical work).

Document types are the 27 of Appendix III with their abbreviations, plus the công văn, whose ký hiệu
carries no type abbreviation (`123/UBND-VP`). The incoming states are the status codes of the
national document exchange (QCVN 102:2016 status messages), so telling a sender where their document
stands is a copy of the code, not a mapping."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentType(models.TextChoices):
    NGHI_QUYET = "NQ", _("Nghị quyết")
    QUYET_DINH = "QĐ", _("Quyết định")
    CHI_THI = "CT", _("Chỉ thị")
    QUY_CHE = "QC", _("Quy chế")
    QUY_DINH = "QyĐ", _("Quy định")
    THONG_CAO = "TC", _("Thông cáo")
    THONG_BAO = "TB", _("Thông báo")
    HUONG_DAN = "HD", _("Hướng dẫn")
    CHUONG_TRINH = "CTr", _("Chương trình")
    KE_HOACH = "KH", _("Kế hoạch")
    PHUONG_AN = "PA", _("Phương án")
    DE_AN = "ĐA", _("Đề án")
    DU_AN = "DA", _("Dự án")
    BAO_CAO = "BC", _("Báo cáo")
    BIEN_BAN = "BB", _("Biên bản")
    TO_TRINH = "TTr", _("Tờ trình")
    HOP_DONG = "HĐ", _("Hợp đồng")
    CONG_DIEN = "CĐ", _("Công điện")
    BAN_GHI_NHO = "BGN", _("Bản ghi nhớ")
    BAN_THOA_THUAN = "BTT", _("Bản thỏa thuận")
    GIAY_UY_QUYEN = "GUQ", _("Giấy ủy quyền")
    GIAY_MOI = "GM", _("Giấy mời")
    GIAY_GIOI_THIEU = "GGT", _("Giấy giới thiệu")
    GIAY_NGHI_PHEP = "GNP", _("Giấy nghỉ phép")
    PHIEU_GUI = "PG", _("Phiếu gửi")
    PHIEU_CHUYEN = "PC", _("Phiếu chuyển")
    PHIEU_BAO = "PB", _("Phiếu báo")
    CONG_VAN = "CV", _("Công văn")


# The type's abbreviation in the ký hiệu is its value; a công văn has none.
def type_abbreviation(doc_type: str) -> str:
    return "" if doc_type == DocumentType.CONG_VAN else doc_type


class Urgency(models.TextChoices):
    """Mức độ khẩn. The values are edXML's OtherInfo/Priority codes."""

    NORMAL = "0", _("Thường")
    URGENT = "1", _("Khẩn")
    VERY_URGENT = "2", _("Thượng khẩn")
    FLASH = "3", _("Hỏa tốc")


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Thường")
    SECRET = "secret", _("Mật")


class Direction(models.TextChoices):
    OUTGOING = "out", _("Văn bản đi")
    INCOMING = "in", _("Văn bản đến")


class OutgoingState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    HEAD_REVIEW = "head_review", _("Chờ lãnh đạo đơn vị soạn thảo duyệt")
    FORMAT_CHECK = "format_check", _("Chờ kiểm tra thể thức")
    PENDING_SIGNATURE = "pending_signature", _("Chờ ký")
    SIGNED = "signed", _("Đã ký, chờ cấp số")
    NUMBERED = "numbered", _("Đã cấp số, chờ ký số cơ quan")
    SEALED = "sealed", _("Đã ký số cơ quan, chờ phát hành")
    ISSUED = "issued", _("Đã phát hành")
    FILED = "filed", _("Đã lưu hồ sơ")
    RECALLED = "recalled", _("Đã thu hồi")


class OutgoingAction(models.TextChoices):
    CREATE = "create", _("Tạo dự thảo")
    EDIT = "edit", _("Sửa dự thảo")
    SUBMIT = "submit", _("Trình duyệt")
    APPROVE = "approve", _("Duyệt")
    SEND_BACK = "send-back", _("Trả lại để sửa")
    SIGN = "sign", _("Ký số")
    NUMBER = "number", _("Cấp số, vào sổ")
    SEAL = "seal", _("Ký số cơ quan")
    ISSUE = "issue", _("Phát hành")
    FILE = "file", _("Lưu hồ sơ")
    RECALL = "recall", _("Thu hồi")
    CORRECT = "correct", _("Đính chính")


class IncomingState(models.TextChoices):
    """The national exchange's status codes."""

    ARRIVED = "01", _("Đã đến")
    REFUSED = "02", _("Từ chối tiếp nhận")
    ACCEPTED = "03", _("Đã tiếp nhận, vào sổ")
    AWAITING_ASSIGNMENT = "04", _("Chờ phân công xử lý")
    ASSIGNED = "05", _("Đã phân công, đang xử lý")
    DONE = "06", _("Đã hoàn thành")


class IncomingAction(models.TextChoices):
    ARRIVE = "arrive", pgettext_lazy("action", "Văn bản đến")
    ACCEPT = "accept", _("Tiếp nhận, vào sổ")
    REFUSE = "refuse", pgettext_lazy("action", "Từ chối tiếp nhận")
    SUBMIT = "submit", _("Trình lãnh đạo")
    DIRECT = "direct", _("Chỉ đạo, phân công")
    COMPLETE = "complete", _("Hoàn thành xử lý")


class ExchangeStatus(models.TextChoices):
    """Every status code a sender may see for one of its recipients (the incoming states, plus the
    recall/update answers of the exchange)."""

    ARRIVED = "01", _("Đã đến")
    REFUSED = "02", _("Từ chối tiếp nhận")
    ACCEPTED = "03", _("Đã tiếp nhận")
    AWAITING_ASSIGNMENT = "04", _("Chờ phân công xử lý")
    ASSIGNED = "05", _("Đã phân công xử lý")
    DONE = "06", _("Đã hoàn thành")
    RECALL = "13", _("Thu hồi")
    AGREE = "15", _("Đồng ý thu hồi / cập nhật")
    REFUSE_RECALL = "16", _("Từ chối thu hồi / cập nhật")
    SENT = "00", _("Đã gửi")


class Source(models.TextChoices):
    """Where an incoming document came from."""

    INTERNAL = "internal", _("Trong hệ thống Sen")
    EDXML = "edxml", _("Liên thông (edXML)")
    PAPER = "paper", _("Văn bản giấy")


class FileRole(models.TextChoices):
    DRAFT = "draft", _("Bản dự thảo")
    SIGNED = "signed", _("Bản đã ký (lớp 1)")
    FINAL = "final", _("Bản phát hành (hai chữ ký số)")
    APPENDIX = "appendix", _("Phụ lục")
    APPENDIX_SIGNED = "appendix_signed", _("Phụ lục đã ký số cơ quan")
    RECEIVED = "received", _("Tệp văn bản đến")


class NoticeKind(models.TextChoices):
    RECALL = "recall", _("Thu hồi")
    REPLACE = "replace", _("Thay thế")
    CORRECT = "correct", _("Đính chính")
