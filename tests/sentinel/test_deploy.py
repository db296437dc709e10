"""`sentinel deploy`: the exact requests, dry runs without network, and the sending logic."""

from __future__ import annotations

import io
import json
import socket
import sys

import pytest

from revertguard.cli import main
from revertguard.errors import UsageError
from revertguard.rules import load_rules
from revertguard.rules.watchlist import load_watchlists
from revertguard.sentinel import deploy as deploy_module
from revertguard.sentinel.arm import rule_body, watchlist_items
from revertguard.sentinel.deploy import (
    AzureSdkMissingError,
    DeployError,
    PlannedRequest,
    Response,
    Workspace,
    azure_sender,
    deploy,
    execute,
    format_plan,
    plan_deployment,
)
from tests.rules.files import small_rule, write_rule

SUB = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0"
BASE = (f"https://management.azure.com/subscriptions/{SUB}/resourceGroups/rg-sec/providers/"
        "Microsoft.OperationalInsights/workspaces/sentinel-prod/providers/Microsoft.SecurityInsights")
WORKSPACE = Workspace(SUB, "rg-sec", "sentinel-prod")
WATCHING_QUERY = ("AWSCloudTrail\n| join kind=leftanti (_GetWatchlist('RevertGuardCicdPrincipals')) "
                  "on $left.UserIdentityArn == $right.SearchKey\n"
                  "| project TimeGenerated, UserIdentityArn, SourceIpAddress, RecipientAccountId\n")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(deploy_module, "azure_sender", refuse)


@pytest.fixture
def watching(tmp_path):
    rules_dir, lists = tmp_path / "rules", tmp_path / "lists"
    rules_dir.mkdir()
    lists.mkdir()
    write_rule(rules_dir, "Watching", small_rule(query=WATCHING_QUERY))
    (lists / "RevertGuardCicdPrincipals.csv").write_text(
        "Identity,Cloud,Scope,Pipeline,Description\n"
        "arn:aws:iam::444455556666:role/ci,aws,444455556666,web,staging resets\n"
        "arn:aws:iam::444455556666:role/ci2,aws,444455556666,api,\n")
    return rules_dir, lists


def test_seed_plan_is_one_put_of_the_rule():
    (seed,) = load_rules("seed")
    (request,) = plan_deployment([seed], {}, WORKSPACE)
    assert request.method == "PUT"
    assert request.url == f"{BASE}/alertRules/{seed.id}?api-version=2025-09-01"
    assert request.body == rule_body(seed)
    assert request.body["kind"] == "Scheduled"
    assert request.body["properties"]["query"] == seed.query


def test_watchlists_go_first_with_items_and_a_prune_step(watching):
    rules_dir, lists = watching
    plan, result = deploy([str(rules_dir)], WORKSPACE, watchlist_paths=[lists], dry_run=True)
    assert result is None
    watchlist = load_watchlists([lists])["RevertGuardCicdPrincipals"]
    items = watchlist_items(watchlist)
    assert [(r.method, r.url) for r in plan] == [
        ("PUT", f"{BASE}/watchlists/RevertGuardCicdPrincipals?api-version=2025-09-01"),
        *[("PUT", f"{BASE}/watchlists/RevertGuardCicdPrincipals/watchlistItems/{item_id}?api-version=2025-09-01")
          for item_id, _ in items],
        ("GET", f"{BASE}/watchlists/RevertGuardCicdPrincipals/watchlistItems?api-version=2025-09-01"),
        ("PUT", f"{BASE}/alertRules/0b8f6f3e-2a55-4d6a-9a55-3f0c2b9a1e10?api-version=2025-09-01"),
    ]
    assert plan[0].body["properties"]["itemsSearchKey"] == "Identity"
    assert plan[0].body["properties"]["provider"] == "revertguard"
    assert plan[1].body == {"properties": {"itemsKeyValue": {
        "Identity": "arn:aws:iam::444455556666:role/ci", "Cloud": "aws", "Scope": "444455556666",
        "Pipeline": "web", "Description": "staging resets"}}}
    assert plan[3].keep_items == {item_id for item_id, _ in items}
    # Item ids are stable: the same rows give the same ids in every run.
    assert watchlist_items(load_watchlists([lists])["RevertGuardCicdPrincipals"]) == items


def test_cli_dry_run_prints_the_exact_requests_without_network(no_network, capsys):
    assert main(["sentinel", "deploy", "--subscription", SUB, "--resource-group", "rg-sec", "--workspace",
                 "sentinel-prod", "--rules", "seed", "--dry-run"]) == 0
    out = capsys.readouterr().out
    (seed,) = load_rules("seed")
    url = f"{BASE}/alertRules/{seed.id}?api-version=2025-09-01"
    assert out.startswith(f"# rule {seed.name}\nPUT {url}\nContent-Type: application/json\n\n")
    body = json.loads(out.split("\n\n", 1)[1])
    assert body == rule_body(seed)


def test_cli_dry_run_as_json(no_network, watching, capsys):
    rules_dir, lists = watching
    assert main(["sentinel", "deploy", "--subscription", SUB, "--resource-group", "rg-sec", "--workspace",
                 "sentinel-prod", "--rules", str(rules_dir), "--watchlists", str(lists), "--dry-run",
                 "--output", "json"]) == 0
    requests = json.loads(capsys.readouterr().out)
    assert [r["method"] for r in requests] == ["PUT", "PUT", "PUT", "GET", "PUT"]
    assert requests[3]["deleteItemsExcept"] == sorted(r["url"].split("/")[-1].split("?")[0]
                                                      for r in requests[1:3])


def test_dry_run_text_mentions_the_prune(watching):
    rules_dir, lists = watching
    plan, _ = deploy([str(rules_dir)], WORKSPACE, watchlist_paths=[lists], dry_run=True)
    assert "# then DELETE each listed item that is not one of the 2 above" in format_plan(plan)


@pytest.mark.parametrize(("args", "message"), [
    (("not-a-guid", "rg", "ws-1"), "--subscription 'not-a-guid' is not a subscription id"),
    ((SUB, "rg/../x", "ws-1"), "--resource-group 'rg/../x' is not a resource group name"),
    ((SUB, "rg.", "ws-1"), "not ending in '.'"),
    ((SUB, "rg", "w"), "--workspace 'w' is not a Log Analytics workspace name"),
    ((SUB, "rg", "ws_1"), "--workspace 'ws_1'"),
])
def test_workspace_names_are_checked(args, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(".", r"\.")):
        Workspace(*args)


def test_arm_endpoint_must_be_https():
    with pytest.raises(UsageError, match="must be an https:// address"):
        Workspace(SUB, "rg", "ws-1", "http://management.azure.com")
    assert Workspace(SUB, "rg", "ws-1", "https://management.usgovcloudapi.net").base.startswith(
        "https://management.usgovcloudapi.net/subscriptions/")


def test_invalid_rules_are_not_deployed(tmp_path, no_network, capsys):
    rule = write_rule(tmp_path, "r", small_rule(queryPeriod="30d"))
    assert main(["sentinel", "deploy", "--subscription", SUB, "--resource-group", "rg", "--workspace", "ws-1",
                 "--rules", str(rule), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "nothing was written or sent" in err and "queryPeriod: 30d is outside" in err


class FakeAzure:
    """Answers requests like ARM would, recording them."""

    def __init__(self, existing_items=(), fail_on=None, async_watchlist=False):
        self.calls = []
        self.existing_items = list(existing_items)
        self.fail_on = fail_on
        self.async_watchlist = async_watchlist
        self.polls = 0

    def __call__(self, method, url, body):
        self.calls.append((method, url, body))
        if self.fail_on and self.fail_on in url:
            return Response(400, {}, {"error": {"code": "BadRequest", "message": "Query is invalid"}})
        if url.startswith("https://management.azure.com/operations/"):
            self.polls += 1
            return Response(200, {"retry-after": "1"}, {"status": "Succeeded" if self.polls > 1 else "InProgress"})
        if method == "PUT" and url.split("?")[0].endswith("/watchlists/RevertGuardCicdPrincipals") \
                and self.async_watchlist:
            return Response(201, {"azure-asyncoperation": "https://management.azure.com/operations/1"}, {})
        if method == "GET" and "/watchlistItems?" in url:
            if "page=2" in url:
                return Response(200, {}, {"value": [{"name": self.existing_items[-1]}]})
            return Response(200, {}, {"value": [{"name": n} for n in self.existing_items[:-1]],
                                      "nextLink": url + "&page=2"})
        return Response(200, {}, {})


def test_execute_sends_in_order_and_deletes_stale_items(watching):
    rules_dir, lists = watching
    plan, _ = deploy([str(rules_dir)], WORKSPACE, watchlist_paths=[lists], dry_run=True)
    kept = sorted(plan[3].keep_items)
    azure = FakeAzure(existing_items=[kept[0], "stale-1", kept[1], "stale-2"], async_watchlist=True)
    sleeps = []
    result = execute(plan, azure, sleep=sleeps.append)
    assert result.deleted_items == ["stale-1", "stale-2"]
    methods = [(m, u.split("?")[0].rsplit("/", 1)[-1]) for m, u, _ in azure.calls]
    assert methods == [
        ("PUT", "RevertGuardCicdPrincipals"), ("GET", "1"), ("GET", "1"),
        ("PUT", plan[1].url.split("?")[0].rsplit("/", 1)[-1]), ("PUT", plan[2].url.split("?")[0].rsplit("/", 1)[-1]),
        ("GET", "watchlistItems"), ("GET", "watchlistItems"),
        ("DELETE", "stale-1"), ("DELETE", "stale-2"),
        ("PUT", "0b8f6f3e-2a55-4d6a-9a55-3f0c2b9a1e10"),
    ]
    assert sleeps == [1.0]
    delete_url = azure.calls[7][1]
    assert delete_url == f"{BASE}/watchlists/RevertGuardCicdPrincipals/watchlistItems/stale-1?api-version=2025-09-01"


def test_execute_stops_at_the_first_refusal_with_azures_message():
    (seed,) = load_rules("seed")
    plan = plan_deployment([seed], {}, WORKSPACE)
    with pytest.raises(DeployError, match="rule Cloud instance revert operations \\(seed baseline\\): PUT returned "
                                          "HTTP 400: BadRequest: Query is invalid"):
        execute(plan, FakeAzure(fail_on="alertRules"))


def test_execute_never_follows_links_to_another_host():
    plan = [PlannedRequest("GET", f"{BASE}/watchlists/A/watchlistItems?api-version=2025-09-01", None, "items",
                           frozenset())]

    def send(method, url, body):
        return Response(200, {}, {"value": [], "nextLink": "https://attacker.example/steal"})

    with pytest.raises(DeployError, match="another host"):
        execute(plan, send)


def test_missing_azure_packages_give_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "azure.identity", None)
    with pytest.raises(AzureSdkMissingError, match=r"pip install 'revertguard\[azure\]'"):
        azure_sender(credential=None)
    monkeypatch.setitem(sys.modules, "azure.core", None)
    assert main(["sentinel", "deploy", "--subscription", SUB, "--resource-group", "rg", "--workspace", "ws-1",
                 "--rules", "seed"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'revertguard[azure]'" in err and "Traceback" not in err


def test_azure_sender_sends_json_with_a_bearer_token_through_azure_core():
    pytest.importorskip("azure.core")
    requests = pytest.importorskip("requests")
    urllib3 = pytest.importorskip("urllib3")
    from azure.core.credentials import AccessToken
    from azure.core.pipeline.transport import RequestsTransport

    seen = []

    class Adapter(requests.adapters.BaseAdapter):
        def send(self, request, **kwargs):
            seen.append(request)
            body = b'{"name": "x"}'
            raw = urllib3.HTTPResponse(body=io.BytesIO(body), status=201, preload_content=False,
                                       headers={"Content-Type": "application/json",
                                                "Content-Length": str(len(body))})
            return self.build_response(request, raw)

        def close(self):
            pass

        build_response = requests.adapters.HTTPAdapter.build_response

    class Credential:
        def get_token(self, *scopes, **kwargs):
            assert scopes == ("https://management.azure.com/.default",)
            return AccessToken("test-token", 4_102_444_800)

    session = requests.Session()
    session.mount("https://", Adapter())
    send = azure_sender(credential=Credential(), transport=RequestsTransport(session=session))
    (seed,) = load_rules("seed")
    (request,) = plan_deployment([seed], {}, WORKSPACE)
    response = send(request.method, request.url, request.body)
    assert (response.status, response.body) == (201, {"name": "x"})
    (sent,) = seen
    assert sent.method == "PUT" and sent.url == request.url
    assert sent.headers["Authorization"] == "Bearer test-token"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["User-Agent"].startswith("revertguard/")
    assert json.loads(sent.body) == request.body
