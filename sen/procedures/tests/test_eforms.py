import datetime as dt
from decimal import Decimal

import pytest

from sen.core.exceptions import InvalidInput
from sen.procedures.eforms import eform_definition_check, eform_validate

FORM = eform_definition_check(
    [
        {
            "name": "ho_ten",
            "label": "Họ và tên",
            "type": "text",
            "required": True,
            "validation": {"min_length": 2, "max_length": 20},
        },
        {
            "name": "so_ban",
            "label": "Số bản",
            "type": "number",
            "required": True,
            "validation": {"integer": True, "min": 1, "max": 10},
        },
        {"name": "dien_tich", "label": "Diện tích", "type": "number", "validation": {"min": 0}},
        {
            "name": "ngay_sinh",
            "label": "Ngày sinh",
            "type": "date",
            "required": True,
            "validation": {"min": "1900-01-01", "max": "today"},
        },
        {
            "name": "gioi_tinh",
            "label": "Giới tính",
            "type": "choice",
            "required": True,
            "validation": {"options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
        },
        {"name": "cccd", "label": "Số CCCD", "type": "cccd", "required": True},
        {"name": "dia_chi", "label": "Địa chỉ", "type": "address", "required": True},
        {"name": "ghi_chu", "label": "Ghi chú", "type": "text"},
    ]
)
GOOD = {
    "ho_ten": "  Lê Thị Mai ",
    "so_ban": "2",
    "dien_tich": "12,5",
    "ngay_sinh": "05/03/2020",
    "gioi_tinh": "nu",
    "cccd": "082 012 345 678",
    "dia_chi": {"detail": "Số 5 đường Lý Thường Kiệt", "commune": "Phường Mỹ Tho", "province": "Đồng Tháp"},
}


def test_valid_data_is_cleaned():
    cleaned = eform_validate(FORM, GOOD)
    assert cleaned == {
        "ho_ten": "Lê Thị Mai",
        "so_ban": 2,
        "dien_tich": Decimal("12.5"),
        "ngay_sinh": dt.date(2020, 3, 5),
        "gioi_tinh": "nu",
        "cccd": "082012345678",
        "dia_chi": {"detail": "Số 5 đường Lý Thường Kiệt", "commune": "Phường Mỹ Tho", "province": "Đồng Tháp"},
        "ghi_chu": None,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ho_ten", "A", "Họ và tên: Cần ít nhất 2 ký tự."),
        ("ho_ten", "x" * 21, "Họ và tên: Không được quá 20 ký tự."),
        ("ho_ten", 5, "Họ và tên: Phải là văn bản."),
        ("so_ban", "hai", "Số bản: Phải là một số."),
        ("so_ban", "1.5", "Số bản: Phải là số nguyên."),
        ("so_ban", 0, "Số bản: Không được nhỏ hơn 1."),
        ("so_ban", 11, "Số bản: Không được lớn hơn 10."),
        ("ngay_sinh", "2020-13-01", "Ngày sinh: Ngày không hợp lệ (nhập dạng dd/mm/yyyy)."),
        ("ngay_sinh", "01/01/1899", "Ngày sinh: Ngày không được trước 01/01/1900."),
        ("ngay_sinh", (dt.date.today() + dt.timedelta(days=2)).isoformat(), "Ngày sinh: Ngày không được sau"),
        ("gioi_tinh", "khac", "Giới tính: Lựa chọn không hợp lệ."),
        ("cccd", "08201234567", "Số CCCD: Số CCCD phải gồm đúng 12 chữ số."),
        ("cccd", "099012345678", "Số CCCD: Số CCCD không hợp lệ: ba chữ số đầu phải là mã tỉnh từ 001 đến 096."),
        ("dia_chi", "Đồng Tháp", "Địa chỉ: Địa chỉ phải gồm số nhà/đường, xã/phường và tỉnh/thành phố."),
        ("dia_chi", {"detail": "Số 5", "commune": "", "province": "Đồng Tháp"}, "Địa chỉ: Địa chỉ phải gồm"),
    ],
)
def test_each_type_refuses_bad_values_in_vietnamese(field, value, message):
    with pytest.raises(InvalidInput) as caught:
        eform_validate(FORM, {**GOOD, field: value})
    assert caught.value.message == "Biểu mẫu có thông tin chưa hợp lệ."
    assert caught.value.details["fields"][field].startswith(message)
    assert list(caught.value.details["fields"]) == [field]


def test_missing_required_fields_are_named_and_unknown_fields_refused():
    with pytest.raises(InvalidInput) as caught:
        eform_validate(FORM, {"ho_ten": "", "la": "x"})
    errors = caught.value.details["fields"]
    assert errors["ho_ten"] == "“Họ và tên” là bắt buộc."
    assert errors["cccd"] == "“Số CCCD” là bắt buộc."
    assert "dien_tich" not in errors  # optional
    assert errors["__all__"] == "Biểu mẫu không có các trường: la."


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("x", "Biểu mẫu điện tử phải là một danh sách trường."),
        ([{"name": "Họ tên", "label": "x", "type": "text"}], "Trường thứ 1: tên trường phải gồm"),
        ([{"name": "a", "label": "x", "type": "text"}] * 2, "Biểu mẫu có hai trường cùng tên “a”."),
        ([{"name": "a", "label": "x", "type": "file"}], "Trường thứ 1: loại trường “file” không được hỗ trợ."),
        ([{"name": "a", "label": "x", "type": "choice"}], "Trường thứ 1: trường lựa chọn cần danh sách lựa chọn."),
        (
            [{"name": "a", "label": "x", "type": "text", "validation": {"pattern": ".*"}}],
            "Trường thứ 1: quy tắc kiểm tra",
        ),
    ],
)
def test_bad_definitions_are_refused(definition, message):
    with pytest.raises(InvalidInput) as caught:
        eform_definition_check(definition)
    assert caught.value.message.startswith(message)
