"""Codes of one-stop dossiers. The state values are the National Public Service Portal's status
codes ("1".."10"), so that synchronising with it is a mapping, not a rewrite."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DossierState(models.TextChoices):
    SUBMITTED = "1", _("Mới đăng ký")
    RECEIVED = "2", _("Đã tiếp nhận")
    REFUSED = "3", _("Không được tiếp nhận")
    PROCESSING = "4", _("Đang xử lý")
    WAITING_SUPPLEMENT = "5", _("Chờ bổ sung")
    WAITING_FINANCIAL = "6", _("Chờ thực hiện nghĩa vụ tài chính")
    WITHDRAWAL_REQUESTED = "7", _("Công dân yêu cầu rút hồ sơ")
    STOPPED = "8", _("Dừng xử lý")
    PROCESSED = "9", _("Đã xử lý xong")
    RETURNED = "10", _("Đã trả kết quả")


class DossierAction(models.TextChoices):
    SUBMIT = "submit", _("Nộp hồ sơ")
    RECEIVE = "receive", pgettext_lazy("action", "Tiếp nhận")
    REFUSE = "refuse", pgettext_lazy("action", "Từ chối tiếp nhận")
    ASSIGN = "assign", _("Chuyển xử lý")
    FORWARD = "forward", _("Chuyển bước tiếp theo")
    REQUEST_SUPPLEMENT = "request-supplement", pgettext_lazy("action", "Yêu cầu bổ sung")
    SUPPLEMENT = "supplement", _("Bổ sung hồ sơ")
    APPROVE = "approve", _("Phê duyệt")
    RETURN_FOR_REWORK = "return-for-rework", _("Trả lại để xử lý lại")
    STOP = "stop", pgettext_lazy("action", "Dừng xử lý")
    COMPLETE = "complete", _("Hoàn thành xử lý")
    RETURN_RESULT = "return-result", _("Trả kết quả")
    RESCHEDULE = "reschedule", _("Hẹn lại ngày trả")
    REQUEST_PAYMENT = "request-payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    CONFIRM_PAYMENT = "confirm-payment", _("Xác nhận đã thực hiện nghĩa vụ tài chính")
    REQUEST_WITHDRAWAL = "request-withdrawal", _("Yêu cầu rút hồ sơ")
    ACCEPT_WITHDRAWAL = "accept-withdrawal", _("Đồng ý cho rút hồ sơ")
    REJECT_WITHDRAWAL = "reject-withdrawal", _("Không đồng ý cho rút hồ sơ")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")
    PENDING = "pending", _("Chưa đến hạn")


class RatingLevel(models.TextChoices):
    """The applicant's rating of the service once the result is returned."""

    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    NOT_SATISFIED = "not_satisfied", _("Không hài lòng")
