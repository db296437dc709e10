"""The issue's targets, measured by `validate` on a fixed seed: every attack caught as exactly one
incident, no incident from a benign scenario, 100x fewer alerts than the seed rule on noise."""

from __future__ import annotations

import json

import pytest

from revertguard.cli import main
from revertguard.detect.validate import validate
from revertguard.simulate import scenario_names

SEED = 1578


@pytest.fixture(scope="module")
def result():
    return validate(seed=SEED)


def test_every_attack_is_exactly_one_incident(result):
    attacks = {s.name: s.incidents for s in result.scenarios if s.kind == "attack"}
    assert set(attacks) == set(scenario_names("attack"))
    assert attacks == dict.fromkeys(attacks, 1)
    assert result.improved.caught == result.improved.exactly_one == len(attacks)


def test_no_benign_scenario_raises_an_incident_but_the_approved_ones_are_shown_suppressed(result):
    benign = {s.name: s for s in result.scenarios if s.kind == "benign"}
    assert all(s.incidents == 0 for s in benign.values())
    assert result.improved.benign_incidents == 0
    reasons = {name: s.suppressed for name, s in benign.items() if s.suppressed}
    assert any("CI/CD principal" in r for r in reasons["aws-cicd-staging-reset"])
    assert any("change ticket CHG" in r for r in reasons["aws-dr-restore-with-change-ticket"])
    assert any("change ticket CHG" in r for r in reasons["azure-patch-rollback"])
    # Denied attempts are kept as Low alerts that open no incident.
    assert benign["aws-failed-revert-attempt"].rule_alerts == {"Failed attempts to revert a cloud instance": 2}


def test_background_noise_raises_nothing_while_the_seed_rule_fires_on_it(result):
    assert result.improved.noise_alerts == 0 and result.improved.noise_incidents == 0
    assert result.seed_figures.noise_alerts >= 20
    assert result.improved.noise_alerts * 100 <= result.seed_figures.noise_alerts
    assert result.targets_met and not result.failures


def test_the_seed_rule_misses_most_attacks(result):
    # It has no CreateReplaceRootVolumeTask, CreateVolume, reimage or restore in its lists.
    assert result.seed_figures.caught < result.improved.caught
    misses = {s.name for s in result.scenarios if s.kind == "attack" and s.seed_alerts == 0}
    assert {"aws-replace-root-to-snapshot", "azure-reimage-ephemeral-os-disk"} <= misses


def test_cli_prints_the_matrix_and_the_figures(capsys):
    assert main(["validate", "--seed", str(SEED), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["targets_met"] is True
    assert document["figures"]["improved_rules"]["noise_alerts"] == 0
    assert len(document["scenarios"]) == len(scenario_names())
