"""The parser on real records of the national catalogue (the vendored extract)."""

import gzip
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

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


def required(spec) -> list[str]:
    return [c.name for c in spec.components if c.required]


def test_birth_registration_lists_its_papers_and_keeps_the_notes_apart(records):
    # given the national record of birth registration, whose components table also holds a "Lưu ý"
    # group, intros ending in ":" and explanations typed as rows with a quantity of 0
    spec = parse_record(records["1.001193"]).spec
    # then its components are the eight papers, in the record's order and groups
    assert [(c.group, c.name[:30], c.originals) for c in spec.components] == [
        ("Giấy tờ phải nộp", "Trường hợp trẻ em bị bỏ rơi th", 1),
        ("Giấy tờ phải nộp", "Văn bản ủy quyền (được chứng t", 1),
        ("Giấy tờ phải nộp", "Trường hợp khai sinh cho trẻ e", 1),
        ("Giấy tờ phải nộp", "Giấy chứng sinh; trường hợp kh", 1),
        ("Giấy tờ phải xuất trình", "Giấy tờ có giá trị chứng minh ", 1),
        ("Giấy tờ phải xuất trình", "Hộ chiếu/Thẻ căn cước công dân", 1),
        ("", "Tờ khai đăng ký khai sinh theo", 1),
        ("", "Mẫu hộ tịch điện tử tương tác ", 1),
    ]
    # only the birth certificate is required of everyone: the rest depends on the case (abandoned
    # child, surrogacy, authorisation), is shown at the desk, or is the paper/e-form alternative
    assert [name[:15] for name in required(spec)] == ["Giấy chứng sinh"]
    # and no note became a component
    for component in spec.components:
        assert component.group != "Lưu ý"
        assert not component.name.rstrip().endswith(":")
        assert not component.name.startswith(("Người tiếp nhận", "Cá nhân có quyền", "Trường hợp người yêu cầu đã nộp"))
    # the notes are kept, under their groups, for the procedure page
    notes = spec.component_notes.splitlines()
    assert notes[0] == "Giấy tờ phải nộp:"
    assert notes[1].startswith("- Trường hợp người yêu cầu đã nộp bản điện tử Giấy chứng sinh")
    assert "Lưu ý:" in notes
    assert any(line.startswith("- Người tiếp nhận có trách nhiệm tiếp nhận đúng, đủ hồ sơ") for line in notes)
    assert any(line.startswith("- Người có yêu cầu đăng ký khai sinh thực hiện việc nộp/xuất trình") for line in notes)
    assert len(notes) == 28  # 3 group labels and 25 notes


def test_legal_statements_and_cross_references_are_notes(records):
    # given household business registration, whose "authorisation" group lists (i)–(v): three papers,
    # a cross-reference to (ii) and a statement of who answers before the law
    spec = parse_record(records["1.001612"]).spec
    names = [c.name[:5] for c in spec.components]
    assert names == ["(ii) ", "(iii)", "(i) T", "Trườn", "Giấy ", "Bản s"]
    assert "- (iv) Trường hợp ủy quyền cho đơn vị cung cấp dịch vụ bưu chính không phải" in spec.component_notes
    assert "- (v) Người ủy quyền và người được ủy quyền" in spec.component_notes
    # the authorisation group is a case, the family's power of attorney is conditional: what every
    # applicant hands in is the application
    assert required(spec) == ["Giấy đề nghị đăng ký hộ kinh doanh;"]


def test_groups_of_alternatives_require_none_of_their_papers(records):
    # given legal aid, whose papers prove one of fourteen kinds of beneficiary ("gồm một trong các
    # giấy tờ"), beside the request and the case files everyone hands in
    spec = parse_record(records["2.000829"]).spec
    assert required(spec) == [
        "Đơn yêu cầu trợ giúp pháp lý",
        "Các giấy tờ, tài liệu có liên quan đến vụ việc trợ giúp pháp lý.",
    ]
    assert len(spec.components) > 25
    # and a note typed inside a group ("Lưu ý: Việc nộp Giấy khai sinh chỉ thực hiện…", quantity 0) is a note
    assert "- Lưu ý: Việc nộp Giấy khai sinh chỉ thực hiện" in spec.component_notes


def test_quantities_inside_names_and_digits_glued_to_a_quantity(records):
    # "Hợp đồng thế chấp … (01 bản chính hoặc 01 bản sao có chứng thực) (khoản 3 …)1 bản chính,1 bản sao":
    # the quantities inside the name do not cut it into "hoặc" and "có chứng thực)" rows
    mortgage = parse_record(records["1.011445"]).spec
    first = mortgage.components[0]
    assert first.name.startswith(
        "Hợp đồng thế chấp quyền tài sản phát sinh từ hợp đồng mua bán nhà ở (01 bản chính hoặc"
    )
    assert (first.originals, first.copies) == (1, 1)
    assert not [c.name for c in mortgage.components if c.name in ("hoặc", "có chứng thực hoặc")]
    # "… ngày 01/01/2026" + "1 bản chính,1 bản sao" was crawled as "ngày 01/01/20261 bản chính,1 bản sao"
    fishing = parse_record(records["1.003586"]).spec
    declaration = fishing.components[-1]
    assert declaration.name.endswith("Thông tư số 02/2026/TT-BNNMT ngày 01/01/2026")
    assert (declaration.originals, declaration.copies) == (1, 1)


def test_no_record_of_the_extract_has_notes_as_components_or_more_required_papers_than_a_submission_takes():
    from sen.dossiers.services import MAX_FILES

    report = parse_file(EXTRACT)
    components = [c for r in report.records if r.spec for c in r.spec.components]
    assert not [c for c in components if c.group.lower().startswith("lưu ý")]
    assert not [c for c in components if c.name.rstrip().endswith(":")]
    assert not [c for c in components if c.name.startswith(("Người ", "Cơ quan ", "Cá nhân "))]
    assert max(sum(c.required for c in r.spec.components) for r in report.records if r.spec) <= MAX_FILES
    assert sum(1 for r in report.records if r.spec and r.spec.component_notes) > 100


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


def test_the_ways_to_submit_are_kept_in_vietnamese_when_read_under_english(records):
    with translation.override("en"):
        construction = parse_record(records["1.013225"]).spec

    assert construction.channels_text.startswith("Trực tuyến — 20 ngày")
    assert "Online" not in construction.channels_text and "days" not in construction.channels_text


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
