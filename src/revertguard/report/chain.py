"""Lay out an incident's revert chain (snapshot -> volume/disk/image -> instance/VM) for drawing as SVG.

Resources go in columns by how far along the chain they are (the longest path of links that
leads to them), so what was restored sits left and the machine it was restored onto sits
right. The layout is plain numbers; the HTML template draws it, escaping every label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from revertguard.detect.findings import ChainLink, Resource

NODE_WIDTH = 240
NODE_HEIGHT = 56
COLUMN_GAP = 190
ROW_GAP = 22
MARGIN = 12
_MAX_LABEL = 27
_MAX_RELATION = 30

# How a resource type is drawn: where restored data comes from, what holds it, what runs it.
_KINDS = {
    "snapshot": "source", "recovery-point": "source", "restore-point": "source", "backup": "source",
    "image": "storage", "volume": "storage", "disk": "storage",
    "instance": "compute", "vm": "compute", "scale-set": "compute", "host": "compute",
}


@dataclass(frozen=True)
class ChainNode:
    resource: Resource
    x: int
    y: int
    kind: str  # source | storage | compute | other: the CSS class suffix
    label: str  # the id, shortened to fit; the full id goes in a tooltip

    @property
    def type_label(self) -> str:
        return self.resource.type.upper()


@dataclass(frozen=True)
class ChainEdge:
    link: ChainLink
    path: str  # SVG path data
    label_x: int
    label_y: int
    label_lines: tuple[str, ...]  # the call, then what qualifies it ("/dev/xvda", "(boot disk)")


@dataclass(frozen=True)
class ChainDiagram:
    width: int
    height: int
    nodes: list[ChainNode]
    edges: list[ChainEdge]


def layout_chain(resources: Sequence[Resource], links: Sequence[ChainLink]) -> ChainDiagram | None:
    """Positions for every resource and link; None when there is nothing to draw."""
    order: dict[str, Resource] = {}
    for resource in resources:
        order.setdefault(resource.id.lower(), resource)
    for link in links:
        for end in (link.source, link.target):
            order.setdefault(end.id.lower(), end)
    if not order:
        return None
    columns = _columns(order, links)
    by_column: dict[int, list[str]] = {}
    for key in order:
        by_column.setdefault(columns[key], []).append(key)
    nodes: dict[str, ChainNode] = {}
    for column, keys in by_column.items():
        for row, key in enumerate(keys):
            resource = order[key]
            nodes[key] = ChainNode(resource, MARGIN + column * (NODE_WIDTH + COLUMN_GAP),
                                   MARGIN + row * (NODE_HEIGHT + ROW_GAP),
                                   _KINDS.get(resource.type.lower(), "other"), shorten(resource.id, _MAX_LABEL))
    edges = [_edge(link, nodes[link.source.id.lower()], nodes[link.target.id.lower()]) for link in links]
    width = MARGIN * 2 + (max(columns.values()) + 1) * NODE_WIDTH + max(columns.values()) * COLUMN_GAP
    rows = max(len(keys) for keys in by_column.values())
    height = MARGIN * 2 + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP
    return ChainDiagram(width, height, list(nodes.values()), edges)


def _columns(order: dict[str, Resource], links: Sequence[ChainLink]) -> dict[str, int]:
    """Each resource's column: the longest run of links ending at it (cycles are cut off)."""
    depth = dict.fromkeys(order, 0)
    for _ in range(len(order)):
        changed = False
        for link in links:
            source, target = link.source.id.lower(), link.target.id.lower()
            if source != target and depth[target] < depth[source] + 1 <= len(order) - 1:
                depth[target] = depth[source] + 1
                changed = True
        if not changed:
            break
    linked = {end.id.lower() for link in links for end in (link.source, link.target)}
    last = max((depth[k] for k in linked), default=0)
    for key, resource in order.items():
        # A resource no link mentions sits where its kind belongs: machines last, the rest first.
        if key not in linked:
            depth[key] = last if _KINDS.get(resource.type.lower()) == "compute" else 0
    return depth


def _edge(link: ChainLink, source: ChainNode, target: ChainNode) -> ChainEdge:
    x1, y1 = source.x + NODE_WIDTH, source.y + NODE_HEIGHT // 2
    x2, y2 = target.x, target.y + NODE_HEIGHT // 2
    if x2 <= x1:  # same column (or backwards): leave from the bottom and come round
        x1, y1 = source.x + NODE_WIDTH // 2, source.y + NODE_HEIGHT
        x2, y2 = target.x + NODE_WIDTH // 2, target.y + NODE_HEIGHT
        path = f"M{x1},{y1} C{x1},{y1 + 40} {x2},{y2 + 40} {x2},{y2 + 6}"
        return ChainEdge(link, path, (x1 + x2) // 2, max(y1, y2) + 34, relation_lines(link.relation))
    bend = (x2 - x1) // 2
    path = f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2 - 8},{y2}"
    lines = relation_lines(link.relation)
    return ChainEdge(link, path, (x1 + x2) // 2, (y1 + y2) // 2 - 9 - 13 * (len(lines) - 1), lines)


def relation_lines(relation: str) -> tuple[str, ...]:
    """A link's API call as at most two short lines: the call's last two name parts, then the rest.

    `v1.compute.instances.attachDisk (boot disk)` -> (`instances.attachDisk`, `(boot disk)`).
    """
    call, _, rest = relation.strip().partition(" ")
    parts = [p for p in call.replace("/", ".").split(".") if p]
    separator = "/" if "/" in call else "."
    name = separator.join(parts[-2:]) if len(parts) > 2 else call
    lines = [shorten(name, _MAX_RELATION)]
    if rest.strip():
        lines.append(shorten(rest.strip(), _MAX_RELATION))
    return tuple(lines)


def shorten(text: str, limit: int) -> str:
    """Long ids keep their informative end: the last path segment, then its tail."""
    if len(text) <= limit:
        return text
    tail = text.rstrip("/").rsplit("/", 1)[-1]
    if len(tail) <= limit:
        return tail
    return "…" + tail[-(limit - 1):]
