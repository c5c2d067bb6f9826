"""Reading the organisation tree. Every query uses the materialised path ("/1/7/42/"), so a subtree
is one indexed prefix query and ancestors are one primary-key query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from sen.core.models import OrgUnit

__all__ = [
    "TreeNode",
    "active_on_q",
    "active_units",
    "unit_ancestors",
    "unit_current_successor",
    "unit_descendants",
    "unit_successor_chain",
    "unit_tree",
]


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    """Q for units active on `day`: active_from <= day < active_to (active_to exclusive, None = open)."""
    return Q(**{f"{prefix}active_from__lte": day}) & (
        Q(**{f"{prefix}active_to__isnull": True}) | Q(**{f"{prefix}active_to__gt": day})
    )


def active_units(on: dt.date | None = None) -> QuerySet[OrgUnit]:
    """Every unit active on `on` (default today, Vietnam time), in tree order."""
    return OrgUnit.objects.filter(active_on_q(on or timezone.localdate())).select_related("kind").order_by("path")


def unit_descendants(
    unit: OrgUnit, *, include_self: bool = True, active_on: dt.date | None = None
) -> QuerySet[OrgUnit]:
    """The units under `unit` (and `unit` itself unless include_self=False), in tree order: a parent
    always comes before its children. With `active_on`, only the units active on that day."""
    units = OrgUnit.objects.filter(path__startswith=unit.path).select_related("kind").order_by("path")
    if not include_self:
        units = units.exclude(pk=unit.pk)
    if active_on is not None:
        units = units.filter(active_on_q(active_on))
    return units


def unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The units above `unit`, root first, `unit` itself excluded (one query)."""
    ids = unit.ancestor_ids()[:-1]
    found = OrgUnit.objects.select_related("kind").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def unit_successor_chain(unit: OrgUnit) -> list[OrgUnit]:
    """The units that took over from `unit`, in order: its successor, that one's successor, ...
    The last one is the current successor. Empty when `unit` was never merged into another."""
    chain: list[OrgUnit] = []
    seen = {unit.pk}
    current = unit
    while current.successor_id is not None and current.successor_id not in seen:
        successor = OrgUnit.objects.select_related("kind").get(pk=current.successor_id)
        chain.append(successor)
        seen.add(successor.pk)
        current = successor
    return chain


def unit_current_successor(unit: OrgUnit) -> OrgUnit:
    """The unit that today stands for `unit`: the end of its successor chain, or `unit` itself."""
    chain = unit_successor_chain(unit)
    return chain[-1] if chain else unit


@dataclass
class TreeNode:
    unit: OrgUnit
    children: list[TreeNode] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return self.unit.depth

    def walk(self) -> list[TreeNode]:
        """This node and every node below it, depth first (the order a tree is displayed in)."""
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        return nodes


def unit_tree(root: OrgUnit, *, active_on: dt.date | None = None) -> TreeNode:
    """The subtree under `root` for display, built from one query. Siblings are sorted by their
    kind's rank, then code, then name. With `active_on`, only units active that day (and whose
    parents are active too) appear."""
    nodes: dict[int, TreeNode] = {}
    top = TreeNode(root)
    nodes[root.pk] = top
    for unit in unit_descendants(root, include_self=False, active_on=active_on):
        node = TreeNode(unit)
        nodes[unit.pk] = node
        parent = nodes.get(unit.parent_id) if unit.parent_id is not None else None
        if parent is not None:
            parent.children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.unit.kind.rank, child.unit.code, child.unit.name))
    return top
