"""The parser on real records of the national catalogue (the vendored extract)."""

import gzip
import json
from pathlib import Path

import pytest
from django.conf import settings

from sen.procedures.parsing import parse_file, parse_record

EXTRACT = Path(settings.BASE_DIR) / "data" / "procedures" / "dvcqg_tthc_province_commune_2026-07.jsonl.gz"


@pytest.fixture(scope="module")
def records():
    with gzip.open(EXTRACT, "rt", encoding="utf-8") as handle:
        return {raw["ma_thu_tuc"]: raw for raw in map(json.loads, handle)}


def test_birth_registration_reads_one_day_free_with_its_components(records):
    # given the national record of 1.001193, whose time column says "1" with no unit
    parsed = parse_record(records["1.001193"])
    # then
    assert parsed.readable
    assert parsed.spec.name == "Thủ tục đăng ký khai sinh"
    assert parsed.spec.levels == ["commune"]
    assert (parsed.spec.processing_amount, parsed.spec.processing_unit) == (1, "working_days")
    assert "time_unit_missing:counter" in parsed.assumptions
    assert parsed.spec.fees == []
    assert [c.channel for c in parsed.spec.channels] == ["online", "postal", "counter"]
    assert parsed.spec.result == "Giấy khai sinh"
    assert parsed.spec.components[0].group == "Giấy tờ phải nộp"
    assert any(c.name.startswith("Giấy chứng sinh") for c in parsed.spec.components)


def test_certified_copy_has_a_per_page_fee_and_no_readable_time(records):
    parsed = parse_record(records["2.000815"])
    (fee,) = parsed.spec.fees
    assert (fee.amount_vnd, fee.per_item, fee.item_label) == (2000, True, "trang")
    assert parsed.spec.processing_amount is None
    assert "processing_time_unknown" in parsed.issues
    # the 10 USD per copy charged abroad is not read as a VND fee
    assert "fee_foreign_currency:counter" in parsed.unreadable_issues


def test_calendar_days_and_a_time_per_channel(records):
    judicial = parse_record(records["3.000333"]).spec
    assert (judicial.processing_amount, judicial.processing_unit) == (10, "calendar_days")
    assert judicial.result == "Phiếu Lý lịch tư pháp số 2 (Cấp tỉnh); Phiếu Lý lịch tư pháp số 1 (Cấp tỉnh)"
    construction = parse_record(records["1.013225"]).spec
    times = {c.channel: c.amount for c in construction.channels}
    assert times == {"online": 20, "postal": 20, "counter": 15}
    assert construction.processing_amount == 15  # the counter's time is the procedure's


def test_time_and_fee_run_together_is_reported_not_guessed(records):
    # "Trực tuyến1100 VNĐ": 1 day and 100 (thousand) đồng, or 1,100 days? The parser does not guess.
    parsed = parse_record(records["2.002041"])
    assert not parsed.readable
    assert "time_fee_run_together:online" in parsed.issues
    assert parsed.spec.processing_amount is None


def test_fixed_fee_with_note(records):
    parsed = parse_record(records["1.001612"])
    assert {(f.channel, f.amount_vnd) for f in parsed.spec.fees} == {
        ("online", 150000),
        ("postal", 150000),
        ("counter", 50000),
    }


def test_whole_extract_counts_unreadable_records():
    report = parse_file(EXTRACT)
    assert len(report.records) == 1584
    assert len(report.unreadable) == 99
    assert len(report.without_time) == 115
    assert report.issue_counts()["time_fee_run_together"] == 84


def test_a_broken_line_is_an_unreadable_record(tmp_path, records):
    path = tmp_path / "sample.jsonl"
    path.write_text(json.dumps(records["1.001193"], ensure_ascii=False) + "\n{not json\n" + '{"ma_thu_tuc": ""}\n')
    report = parse_file(path)
    assert [r.readable for r in report.records] == [True, False, False]
    assert report.records[1].issues == ["json_invalid"]
    assert report.records[2].issues == ["identity_missing"]
