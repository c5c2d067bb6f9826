"""Codes of one-stop dossiers. The state values are the National Public Service Portal's status
codes ("1".."10"), so that synchronising with it is a mapping, not a rewrite."""

from __future__ import annotations

from django.db import models


class DossierState(models.TextChoices):
    SUBMITTED = "1", "Mới đăng ký"
    RECEIVED = "2", "Đã tiếp nhận"
    REFUSED = "3", "Không được tiếp nhận"
    PROCESSING = "4", "Đang xử lý"
    WAITING_SUPPLEMENT = "5", "Chờ bổ sung"
    WAITING_FINANCIAL = "6", "Chờ thực hiện nghĩa vụ tài chính"
    WITHDRAWAL_REQUESTED = "7", "Công dân yêu cầu rút hồ sơ"
    STOPPED = "8", "Dừng xử lý"
    PROCESSED = "9", "Đã xử lý xong"
    RETURNED = "10", "Đã trả kết quả"


class DossierAction(models.TextChoices):
    SUBMIT = "submit", "Nộp hồ sơ"
    RECEIVE = "receive", "Tiếp nhận"
    REFUSE = "refuse", "Từ chối tiếp nhận"
    ASSIGN = "assign", "Chuyển xử lý"
    FORWARD = "forward", "Chuyển bước tiếp theo"
    REQUEST_SUPPLEMENT = "request-supplement", "Yêu cầu bổ sung"
    SUPPLEMENT = "supplement", "Bổ sung hồ sơ"
    APPROVE = "approve", "Phê duyệt"
    RETURN_FOR_REWORK = "return-for-rework", "Trả lại để xử lý lại"
    STOP = "stop", "Dừng xử lý"
    COMPLETE = "complete", "Hoàn thành xử lý"
    RETURN_RESULT = "return-result", "Trả kết quả"
    RESCHEDULE = "reschedule", "Hẹn lại ngày trả"
    REQUEST_PAYMENT = "request-payment", "Yêu cầu thực hiện nghĩa vụ tài chính"
    CONFIRM_PAYMENT = "confirm-payment", "Xác nhận đã thực hiện nghĩa vụ tài chính"
    REQUEST_WITHDRAWAL = "request-withdrawal", "Yêu cầu rút hồ sơ"
    ACCEPT_WITHDRAWAL = "accept-withdrawal", "Đồng ý cho rút hồ sơ"
    REJECT_WITHDRAWAL = "reject-withdrawal", "Không đồng ý cho rút hồ sơ"


class Timeliness(models.TextChoices):
    EARLY = "early", "Trước hạn"
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"
    PENDING = "pending", "Chưa đến hạn"


class RatingLevel(models.TextChoices):
    """The applicant's rating of the service once the result is returned."""

    VERY_SATISFIED = "very_satisfied", "Rất hài lòng"
    SATISFIED = "satisfied", "Hài lòng"
    NOT_SATISFIED = "not_satisfied", "Không hài lòng"
