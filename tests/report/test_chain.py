"""The revert chain's layout: restored-from on the left, the machine on the right, whatever the input."""

from __future__ import annotations

from revertguard.detect import ChainLink, Resource
from revertguard.report.chain import NODE_WIDTH, layout_chain, relation_lines, shorten

SNAP, VOL, INST = Resource("snapshot", "snap-1"), Resource("volume", "vol-1"), Resource("instance", "i-1")


def _columns(diagram):
    return {node.resource.id: node.x for node in diagram.nodes}


def test_links_set_the_columns_whatever_order_they_come_in():
    links = [ChainLink(VOL, INST, "AttachVolume /dev/xvda"), ChainLink(SNAP, VOL, "CreateVolume")]
    diagram = layout_chain([INST, VOL, SNAP], links)
    columns = _columns(diagram)
    assert columns["snap-1"] < columns["vol-1"] < columns["i-1"]
    assert diagram.width == columns["i-1"] + NODE_WIDTH + 12
    assert [edge.label_lines for edge in diagram.edges] == [("AttachVolume", "/dev/xvda"), ("CreateVolume",)]


def test_a_cycle_still_lays_out():
    diagram = layout_chain([SNAP, VOL], [ChainLink(SNAP, VOL, "a"), ChainLink(VOL, SNAP, "b")])
    assert len(diagram.nodes) == 2 and len(diagram.edges) == 2


def test_unlinked_machines_go_right_and_the_rest_left():
    extra = Resource("snapshot", "snap-2")
    diagram = layout_chain([SNAP, INST, extra, Resource("vm", "vm-9")], [ChainLink(SNAP, INST, "x")])
    columns = _columns(diagram)
    assert columns["snap-2"] == columns["snap-1"] < columns["vm-9"] == columns["i-1"]


def test_nothing_to_draw():
    assert layout_chain([], []) is None


def test_relations_read_as_the_call_then_its_qualifier():
    assert relation_lines("v1.compute.instances.attachDisk (boot disk)") == ("instances.attachDisk", "(boot disk)")
    assert relation_lines("Microsoft.Compute/disks/write Copy") == ("disks/write", "Copy")
    assert relation_lines("CreateReplaceRootVolumeTask") == ("CreateReplaceRootVolumeTask",)


def test_long_ids_keep_their_informative_end():
    azure = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/disks/web-01-os-restored"
    assert shorten(azure, 27) == "web-01-os-restored"
    assert shorten("x" * 40, 10) == "…" + "x" * 9
    assert shorten("snap-1", 27) == "snap-1"
