"""Reading documents: every list is scoped by the policies and costs a fixed number of queries.

Boxes are the work lists of each role; `search` matches every field and the full text through the
folded copy (`search_text`: lower case, no diacritics, đ→d) on SQLite and PostgreSQL alike — on
PostgreSQL a trigram GIN index serves the `LIKE '%…%'` (migration 0002).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sen.core.counts import capped_count
from sen.core.exceptions import InvalidInput, NotFound
from sen.core.models import OrgUnit
from sen.core.text import fold
from sen.documents import policies
from sen.documents.choices import Direction, FileRole, IncomingState, OutgoingState
from sen.documents.models import (
    CaseFile,
    CaseFileItem,
    DocumentFile,
    DocumentVersion,
    IncomingDocument,
    Notice,
    OutgoingDocument,
    OutgoingTransition,
    Recipient,
    Register,
)
from sen.documents.states import INCOMING_OPEN, ISSUED_STATES
from sen.identity import policies as identity

PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_QUERY = 200
# The first window `_newest_first` searches: the newest 5,000 outgoing documents by id, incoming ones
# arrived in the last 30 days (their list order), and the widest window worth trying before all
# documents; measured in bench/documents/README.md.
SEARCH_WINDOW_IDS = 5_000
SEARCH_WINDOW_AGE = dt.timedelta(days=30)
SEARCH_WINDOW_LIMIT: dict[str, Any] = {"id": 400_000, "arrived_at": dt.timedelta(days=730)}
# Up to this width a window is read in list order without the trigram index (see `_newest_first`).
SEARCH_SCAN_LIMIT: dict[str, Any] = {"id": 25_000, "arrived_at": dt.timedelta(days=30)}

OUTGOING_BOXES: dict[str, Any] = {
    "mine": gettext_lazy("Tôi soạn"),
    "review": gettext_lazy("Chờ tôi duyệt"),
    "check": gettext_lazy("Chờ kiểm tra thể thức"),
    "sign": gettext_lazy("Chờ tôi ký"),
    "clerk": gettext_lazy("Chờ lấy số, đóng dấu, phát hành"),
    "issued": gettext_lazy("Đã phát hành"),
    "all": gettext_lazy("Tất cả"),
}
INCOMING_BOXES: dict[str, Any] = {
    "arrived": gettext_lazy("Mới đến, chờ tiếp nhận"),
    "direct": gettext_lazy("Chờ phân công"),
    "mine": gettext_lazy("Tôi xử lý"),
    "open": gettext_lazy("Đang xử lý"),
    "all": gettext_lazy("Tất cả"),
}


def _under(units: QuerySet[Any], field: str) -> Q:
    """`field` is one of `units` (units_where already expands inherited roles downwards)."""
    return Q(**{f"{field}__in": units})


def outgoing_box(actor: Any, box: str) -> Q:
    if box == "mine":
        return Q(drafter_id=actor.pk)
    if box == "review":
        return Q(state=OutgoingState.HEAD_REVIEW) & _under(
            identity.units_where(actor, identity.LEADER), "drafting_unit"
        )
    if box == "check":
        return Q(state=OutgoingState.FORMAT_CHECK) & _under(identity.units_where(actor, identity.CLERK), "organisation")
    if box == "sign":
        return Q(state=OutgoingState.PENDING_SIGNATURE, signer_id=actor.pk)
    if box == "clerk":
        return Q(state__in=[OutgoingState.SIGNED, OutgoingState.NUMBERED, OutgoingState.SEALED]) & _under(
            identity.units_where(actor, identity.CLERK), "organisation"
        )
    if box == "issued":
        return Q(state__in=ISSUED_STATES)
    if box == "all":
        return Q()
    raise InvalidInput(
        _("Không có danh sách “%(box)s”.") % {"box": box}, details={"allowed": list(OUTGOING_BOXES)}, code="unknown_box"
    )


def box_counts(actor: Any, *, direction: str) -> dict[str, int]:
    """How many documents each box of the actor holds, counted up to COUNT_CAP + 1 (a page shows
    "999+", sen.core.counts). One aggregate over the whole scope cost 0.5–1 s at a million documents
    (bench/documents): "issued" and "all" hold every document of a body. One short query per box instead."""
    if direction == "outgoing":
        scope: QuerySet[Any] = policies.outgoing_scope(actor)
        boxes, condition = OUTGOING_BOXES, outgoing_box
    else:
        scope, boxes, condition = policies.incoming_scope(actor), INCOMING_BOXES, incoming_box
    return {name: capped_count(scope.filter(condition(actor, name))) for name in boxes}


def _query(q: str) -> str:
    folded = fold((q or "").strip())
    if len(folded) > MAX_QUERY:
        raise InvalidInput(_("Từ khóa tối đa %(n)s ký tự.") % {"n": MAX_QUERY}, code="query_too_long")
    return folded


def _words(folded: str, *, indexed: bool = True) -> Q:
    """Every word of the folded query in the search text; `indexed=False` matches the same rows on an
    expression the trigram index does not serve, so PostgreSQL reads a window in list order instead.
    Longest words first: they are the rarer ones, so most rows are refused by the first test."""
    text: Any = F("search_text") if indexed else Concat("search_text", Value(""), output_field=TextField())
    words = sorted(dict.fromkeys(folded.split()), key=len, reverse=True)
    return reduce(lambda left, right: left & right, (Q(Contains(text, word)) for word in words), Q())


def _start(page: int) -> int:
    if page > MAX_PAGE:
        raise InvalidInput(
            _("Trang tối đa là %(n)s; hãy thu hẹp từ khóa tìm kiếm.") % {"n": MAX_PAGE},
            details={"field": "page", "max": MAX_PAGE},
            code="page_out_of_range",
        )
    return (max(page, 1) - 1) * PAGE_SIZE


def _search_page(documents: QuerySet[Any], q: str, page: int, *, field: str, width: Any) -> list[Any]:
    """One page of a list (ordered by `field` descending, then id), searched for `q` newest first
    (`_newest_first`) once the table is large enough for windows to pay."""
    folded = _query(q)
    start = _start(page)
    if not folded:
        return list(documents[start : start + PAGE_SIZE])
    newest = documents.model.objects.aggregate(newest=Max("id"))["newest"] or 0
    if newest <= SEARCH_WINDOW_IDS:  # a small table: one query is cheaper
        return list(documents.filter(_words(folded))[start : start + PAGE_SIZE])
    top = newest if field == "id" else timezone.now()
    return _newest_first(documents, folded, start, field=field, top=top, width=width)


def _newest_first(documents: QuerySet[Any], folded: str, start: int, *, field: str, top: Any, width: Any) -> list[Any]:
    """The page of a search for `folded` among `documents`, looked for among the newest first.

    A trigram index finds the rows holding a word but not in list order, so PostgreSQL fetched every
    match and sorted them: 0.2–0.5 s for a word in 1–5 % of a million documents (bench/documents).
    A list shows the newest first, ordered by `field` descending: when the documents with
    `field >= top - width` already fill the page, no older one can be on it. That first window is
    read in list order without the trigram index (a few thousand rows at most; the index costs more
    for common words than reading them). Otherwise one wider window, sized by the matches the first
    held (twice what the page needs at that rate; read without the index too while it is narrower
    than SEARCH_SCAN_LIMIT), and at last every document, with the index.
    No match at all in the first window means a rare word: the whole-table query is the cheap one."""
    needed = start + PAGE_SIZE
    window = documents.filter(**{f"{field}__gte": top - width}).filter(_words(folded, indexed=False))
    rows = list(window[start:needed])
    if len(rows) == PAGE_SIZE:
        return rows
    held = start + len(rows) if rows or not start else window.count()
    factor = 2 * needed / held if held else 0
    # A ratio first: the width times a large factor could overflow a timedelta.
    if held and width / SEARCH_WINDOW_LIMIT[field] * factor < 1:
        wider = int(width * factor) if isinstance(width, int) else width * factor
        scan = wider <= SEARCH_SCAN_LIMIT[field]
        wide = documents.filter(**{f"{field}__gte": top - wider}).filter(_words(folded, indexed=not scan))
        rows = list(wide[start:needed])
        if len(rows) == PAGE_SIZE:
            return rows
    return list(documents.filter(_words(folded))[start:needed])


def _outgoing_list(actor: Any, box: str) -> QuerySet[OutgoingDocument]:
    documents = policies.outgoing_scope(actor).filter(outgoing_box(actor, box))
    return documents.select_related("organisation", "drafting_unit", "drafter", "signer").order_by("-id")


def outgoing_for(actor: Any, *, box: str = "all", q: str = "") -> QuerySet[OutgoingDocument]:
    """The actor's outgoing documents in `box`, newest first, with what a list row shows."""
    folded = _query(q)
    documents = _outgoing_list(actor, box)
    return documents.filter(_words(folded)) if folded else documents


def outgoing_page(actor: Any, *, box: str = "all", q: str = "", page: int = 1) -> list[OutgoingDocument]:
    """One page of `outgoing_for`, searched newest first (see `_newest_first`)."""
    return _search_page(_outgoing_list(actor, box), q, page, field="id", width=SEARCH_WINDOW_IDS)


def outgoing_get(*, actor: Any, pk: int) -> OutgoingDocument:
    document = (
        OutgoingDocument.objects.select_related(
            "organisation",
            "drafting_unit",
            "drafter",
            "signer",
            "reviewer",
            "register",
            "current_version__pdf",
            "replaces",
        )
        .prefetch_related(
            Prefetch(
                "versions", queryset=DocumentVersion.objects.select_related("created_by", "pdf").order_by("number")
            ),
            Prefetch(
                "transitions",
                queryset=OutgoingTransition.objects.select_related("actor", "version").order_by("at", "id"),
            ),
            Prefetch("recipients", queryset=Recipient.objects.select_related("unit").prefetch_related("statuses")),
            Prefetch("files", queryset=DocumentFile.objects.order_by("id")),
            Prefetch("notices", queryset=Notice.objects.select_related("actor", "replacement").order_by("at", "id")),
        )
        .filter(pk=pk)
        .first()
    )
    if document is None or not policies.can_view_outgoing(actor, document):
        raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found")
    return document


def incoming_box(actor: Any, box: str) -> Q:
    if box == "arrived":
        return Q(state=IncomingState.ARRIVED) & _under(identity.units_where(actor, identity.CLERK), "organisation")
    if box == "direct":
        return Q(state__in=[IncomingState.ACCEPTED, IncomingState.AWAITING_ASSIGNMENT]) & _under(
            identity.units_where(actor, identity.LEADER), "organisation"
        )
    if box == "mine":
        return Q(handler_id=actor.pk, state=IncomingState.ASSIGNED)
    if box == "open":
        return Q(state__in=INCOMING_OPEN)
    if box == "all":
        return Q()
    raise InvalidInput(
        _("Không có danh sách “%(box)s”.") % {"box": box}, details={"allowed": list(INCOMING_BOXES)}, code="unknown_box"
    )


def _incoming_list(actor: Any, box: str) -> QuerySet[IncomingDocument]:
    documents = policies.incoming_scope(actor).filter(incoming_box(actor, box))
    return documents.select_related("organisation", "lead_unit", "handler").order_by("-arrived_at", "-id")


def incoming_for(actor: Any, *, box: str = "all", q: str = "") -> QuerySet[IncomingDocument]:
    folded = _query(q)
    documents = _incoming_list(actor, box)
    return documents.filter(_words(folded)) if folded else documents


def incoming_page(actor: Any, *, box: str = "all", q: str = "", page: int = 1) -> list[IncomingDocument]:
    """One page of `incoming_for`, searched newest first (see `_newest_first`)."""
    return _search_page(_incoming_list(actor, box), q, page, field="arrived_at", width=SEARCH_WINDOW_AGE)


def incoming_get(*, actor: Any, pk: int) -> IncomingDocument:
    document = (
        IncomingDocument.objects.select_related(
            "organisation", "register", "lead_unit", "handler", "directed_by", "accepted_by", "duplicate_of", "outgoing"
        )
        .prefetch_related(
            "supporting_units", "transitions__actor", Prefetch("files", DocumentFile.objects.order_by("id"))
        )
        .filter(pk=pk)
        .first()
    )
    if document is None or not policies.can_view_incoming(actor, document):
        raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found")
    return document


def document_file_get(*, actor: Any, pk: int) -> DocumentFile:
    """A file of a document the actor may see. Drafts' working files only for those in its flow."""
    found = DocumentFile.objects.select_related("outgoing", "incoming").filter(pk=pk).first()
    if found is not None and found.outgoing is not None and policies.can_view_outgoing(actor, found.outgoing):
        issued = found.outgoing.state in ISSUED_STATES
        if (
            issued
            and found.role not in (FileRole.FINAL, FileRole.APPENDIX_SIGNED)
            and not policies.in_outgoing_flow(actor, found.outgoing)
        ):
            raise NotFound(_("Không tìm thấy tệp."), code="file_not_found")
        return found
    if found is not None and found.incoming is not None and policies.can_view_incoming(actor, found.incoming):
        return found
    raise NotFound(_("Không tìm thấy tệp."), code="file_not_found")


def notices_for_incoming(incoming: IncomingDocument) -> QuerySet[Notice]:
    """Recall, correction and replacement notices of the outgoing document this copy came from."""
    if incoming.outgoing_id is None:
        return Notice.objects.none()
    return Notice.objects.filter(document_id=incoming.outgoing_id).select_related("replacement").order_by("at", "id")


# --- Registers ------------------------------------------------------------------------------------
def registers_for(actor: Any) -> QuerySet[Register]:
    """The registers the actor keeps or leads: those of bodies where they are clerk or leader."""
    bodies = identity.units_where(actor, identity.CLERK) | identity.units_where(actor, identity.LEADER)
    return Register.objects.filter(body__in=bodies).select_related("body").order_by("body__name", "direction", "id")


def register_get(*, actor: Any, pk: int) -> Register:
    register = Register.objects.select_related("body").filter(pk=pk).first()
    if register is None or not (policies.is_clerk(actor, register.body) or policies.is_leader(actor, register.body)):
        raise NotFound(_("Không tìm thấy sổ văn bản."), code="register_not_found")
    return register


def register_entries(register: Register, year: int) -> QuerySet[Any]:
    """The register's documents of `year` in number order (what the printed register lists)."""
    if register.direction == Direction.OUTGOING:
        return (
            OutgoingDocument.objects.filter(register=register, year=year, number__isnull=False)
            .select_related("signer", "drafting_unit")
            .prefetch_related("recipients")
            .order_by("number")
        )
    return (
        IncomingDocument.objects.filter(register=register, year=year, incoming_number__isnull=False)
        .select_related("lead_unit", "handler")
        .order_by("incoming_number")
    )


# --- Case files -----------------------------------------------------------------------------------
def case_file_bodies(actor: Any) -> QuerySet[OrgUnit]:
    """The issuing bodies whose annual file list the actor keeps (clerk or leader of the body)."""
    bodies = identity.units_where(actor, identity.CLERK) | identity.units_where(actor, identity.LEADER)
    issuing = Register.objects.filter(direction=Direction.OUTGOING, active=True, body__in=bodies).values("body_id")
    return OrgUnit.objects.filter(pk__in=issuing).order_by("path")


def case_files_for(actor: Any, *, year: int | None = None, body: OrgUnit | None = None) -> QuerySet[CaseFile]:
    """The case files of the bodies the actor keeps (one body's when given), each with the number of
    documents filed into it, in one query."""
    if year is not None and not (isinstance(year, int) and 2000 <= year <= 2100):
        raise InvalidInput(_("Năm không hợp lệ."), details={"field": "year"}, code="invalid_year")
    files = CaseFile.objects.filter(body__in=case_file_bodies(actor))
    if body is not None:
        files = files.filter(body=body)
    if year is not None:
        files = files.filter(year=year)
    return (
        files.select_related("body", "unit", "keeper")
        .annotate(document_count=Count("items"))
        .order_by("body__name", "year", "code")
    )


def case_file_get(*, actor: Any, pk: int) -> CaseFile:
    """One case file with the documents filed into it (two queries whatever their number)."""
    case_file = (
        CaseFile.objects.select_related("body", "unit", "keeper")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=CaseFileItem.objects.select_related("outgoing", "incoming", "added_by").order_by(
                    "added_at", "id"
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if case_file is None or not policies.can_keep_case_files(actor, case_file.body):
        raise NotFound(_("Không tìm thấy hồ sơ."), code="case_file_not_found")
    return case_file


def open_case_files(body: OrgUnit, year: int) -> QuerySet[CaseFile]:
    """The case files of `body` for `year` that still take documents (what a filing form offers)."""
    return CaseFile.objects.filter(body=body, year=year, closed_at__isnull=True).order_by("code")


def case_files_holding(document: OutgoingDocument | IncomingDocument) -> list[CaseFile]:
    """The case files `document` was filed into, oldest filing first."""
    field = "outgoing" if isinstance(document, OutgoingDocument) else "incoming"
    items = CaseFileItem.objects.filter(**{field: document}).select_related("case_file").order_by("added_at", "id")
    return [item.case_file for item in items]


# --- Leaders' participation ------------------------------------------------------------------------
@dataclass(frozen=True)
class Participation:
    """One leader over a period: incoming documents directed (in the software / all directions
    recorded for them, a clerk enters those given on paper), drafts approved, documents signed, those
    still waiting for their signature, and the median hours each waited for them."""

    username: str
    full_name: str
    unit: str
    directed: int
    directed_total: int
    approved: int
    signed: int
    waiting_signature: int
    median_direct_hours: float | None
    median_sign_hours: float | None

    @property
    def directed_share(self) -> float | None:
        return self.directed / self.directed_total if self.directed_total else None

    @property
    def signed_share(self) -> float | None:
        total = self.signed + self.waiting_signature
        return self.signed / total if total else None


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 3600


def participation(*, actor: Any, start: dt.datetime, end: dt.datetime) -> list[Participation]:
    """Per leader of the bodies the actor leads or clerks (a province admin sees every body), for
    actions in [start, end). Seven queries whatever the number of leaders and documents.

    Outgoing documents are signed only in the software here (Sen has no paper outgoing flow yet), so
    the signed share is over the documents that reached them in Sen: signed, or still waiting."""
    from sen.identity.models import RoleGrant

    grants_all = RoleGrant.objects.filter(identity.valid_on(), role__code=identity.LEADER)
    if not identity.is_province_admin(actor):
        bodies = identity.units_where(actor, identity.LEADER) | identity.units_where(actor, identity.CLERK)
        grants_all = grants_all.filter(unit__in=bodies)
    grants = list(grants_all.select_related("user", "unit").order_by("unit__name", "user__full_name"))
    user_ids = {grant.user_id for grant in grants}
    directions = list(
        IncomingDocument.objects.filter(
            directed_by_id__in=user_ids, directed_at__gte=start, directed_at__lt=end
        ).values_list("directed_by_id", "directed_in_software", "arrived_at", "directed_at")
    )
    approvals = list(
        OutgoingTransition.objects.filter(
            actor_id__in=user_ids, action="approve", at__gte=start, at__lt=end
        ).values_list("actor_id", flat=True)
    )
    signatures = list(
        OutgoingTransition.objects.filter(actor_id__in=user_ids, action="sign", at__gte=start, at__lt=end).values_list(
            "actor_id", "document_id", "at"
        )
    )
    asked = dict(
        OutgoingTransition.objects.filter(
            document_id__in=[document_id for _u, document_id, _at in signatures],
            to_state=OutgoingState.PENDING_SIGNATURE,
        )
        .order_by("at", "id")
        .values_list("document_id", "at")
    )
    waiting = list(
        OutgoingDocument.objects.filter(signer_id__in=user_ids, state=OutgoingState.PENDING_SIGNATURE).values_list(
            "signer_id", flat=True
        )
    )
    # Grouped once per leader: the loop below is linear in the rows, whatever the number of leaders.
    directed_by: dict[int, list[tuple[bool, dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for user_id, software, arrived, directed in directions:
        directed_by[user_id].append((software, arrived, directed))
    signed_by: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    for user_id, document_id, at in signatures:
        signed_by[user_id].append((document_id, at))
    approved_by = Counter(approvals)
    waiting_by = Counter(waiting)
    result: list[Participation] = []
    seen: set[int] = set()
    for grant in grants:
        if grant.user_id in seen:
            continue
        seen.add(grant.user_id)
        mine = directed_by[grant.user_id]
        in_software = [(arrived, directed) for software, arrived, directed in mine if software]
        signed = signed_by[grant.user_id]
        result.append(
            Participation(
                username=grant.user.username,
                full_name=grant.user.full_name,
                unit=grant.unit.name,
                directed=len(in_software),
                directed_total=len(mine),
                approved=approved_by[grant.user_id],
                signed=len(signed),
                waiting_signature=waiting_by[grant.user_id],
                median_direct_hours=_median(
                    [_hours(arrived, directed) for arrived, directed in in_software if directed is not None]
                ),
                median_sign_hours=_median(
                    [_hours(asked[document_id], at) for document_id, at in signed if document_id in asked]
                ),
            )
        )
    return result
