"""`revertguard sentinel deploy`: create or update rules and watchlists in a Sentinel workspace.

Plain REST against Azure Resource Manager, API version `arm.API_VERSION`, through `azure-core`'s
pipeline (retries, bearer tokens from `azure-identity`'s `DefaultAzureCredential`). The
management SDK (`azure-mgmt-securityinsight`) is not used: its last stable release speaks API
version 2021-10-01 and its betas a preview version, while the bodies here follow the stable
2025-09-01 contract exactly, and a dry run can print the very requests a real run sends.

A deployment is a plan of requests, in order:

1. per watchlist the rules read: PUT the watchlist, PUT each item (stable ids), then list the
   watchlist's items and DELETE those no longer in the file, so the file is the source of truth;
2. per rule: PUT the alert rule (its id is the rule's GUID, so deploying again updates it).

The Azure packages are an optional extra (`pip install 'revertguard[azure]'`), imported only
when a real deployment starts.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from revertguard import __version__
from revertguard.errors import RevertguardError, UsageError
from revertguard.rules.model import Rule
from revertguard.rules.watchlist import WatchlistDefinition
from revertguard.sentinel import arm
from revertguard.sentinel.content import load_valid_content
from revertguard.sentinel.export import watchlists_for

ARM_ENDPOINT = "https://management.azure.com"
_SUBSCRIPTION = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_RESOURCE_GROUP = re.compile(r"^[-\w.()]{1,90}$")
_WORKSPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$")
_DONE = {"succeeded", "failed", "canceled", "cancelled"}


class DeployError(RevertguardError):
    """A request Azure refused, or that could not be sent."""

    exit_code = 1


class AzureSdkMissingError(RevertguardError):
    """The optional Azure packages are not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(f"deploying to Sentinel needs the Azure packages ({missing} is missing): "
                         "pip install 'revertguard[azure]', or use --dry-run to see the requests")


@dataclass(frozen=True)
class Workspace:
    """The Sentinel workspace to deploy to; names are checked as Azure would."""

    subscription: str
    resource_group: str
    name: str
    endpoint: str = ARM_ENDPOINT

    def __post_init__(self) -> None:
        if not _SUBSCRIPTION.match(self.subscription):
            raise UsageError(f"--subscription {self.subscription!r} is not a subscription id (a GUID)")
        if not _RESOURCE_GROUP.match(self.resource_group) or self.resource_group.endswith("."):
            raise UsageError(f"--resource-group {self.resource_group!r} is not a resource group name (1-90 letters, "
                             "digits, '-', '_', '.', '(' or ')', not ending in '.')")
        if not _WORKSPACE.match(self.name):
            raise UsageError(f"--workspace {self.name!r} is not a Log Analytics workspace name (4-63 letters, digits "
                             "and '-', starting and ending with a letter or digit)")
        parts = urlsplit(self.endpoint)
        if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/") or parts.query:
            raise UsageError(f"--arm-endpoint {self.endpoint!r} must be an https:// address with no path")

    @property
    def base(self) -> str:
        """The URL of the workspace's Microsoft.SecurityInsights provider."""
        return (f"{self.endpoint.rstrip('/')}/subscriptions/{quote(self.subscription, safe='')}"
                f"/resourceGroups/{quote(self.resource_group, safe='')}"
                f"/providers/Microsoft.OperationalInsights/workspaces/{quote(self.name, safe='')}"
                "/providers/Microsoft.SecurityInsights")


@dataclass(frozen=True)
class PlannedRequest:
    """One request of a deployment. A GET with `keep_items` lists a watchlist's items; the run
    then deletes every listed item whose name is not in `keep_items`."""

    method: str
    url: str
    body: dict[str, Any] | None
    what: str
    keep_items: frozenset[str] | None = None


def _url(workspace: Workspace, path: str, api_version: str) -> str:
    return f"{workspace.base}/{path}?api-version={api_version}"


def plan_deployment(rules: Sequence[Rule], watchlists: Mapping[str, WatchlistDefinition], workspace: Workspace,
                    api_version: str = arm.API_VERSION) -> list[PlannedRequest]:
    """The requests that deploy `rules` and the watchlists they read, in the order to send them."""
    plan: list[PlannedRequest] = []
    for watchlist in watchlists_for(rules, watchlists):
        alias = quote(watchlist.alias, safe="")
        plan.append(PlannedRequest("PUT", _url(workspace, f"watchlists/{alias}", api_version),
                                   arm.watchlist_body(watchlist), f"watchlist {watchlist.alias}"))
        items = arm.watchlist_items(watchlist)
        for item_id, body in items:
            plan.append(PlannedRequest("PUT", _url(workspace, f"watchlists/{alias}/watchlistItems/{item_id}",
                                                   api_version),
                                       body, f"watchlist {watchlist.alias} item {item_id}"))
        plan.append(PlannedRequest("GET", _url(workspace, f"watchlists/{alias}/watchlistItems", api_version), None,
                                   f"watchlist {watchlist.alias}: items not in the file",
                                   frozenset(item_id for item_id, _ in items)))
    for rule in sorted(rules, key=lambda r: r.stem):
        plan.append(PlannedRequest("PUT", _url(workspace, f"alertRules/{quote(rule.id, safe='')}", api_version),
                                   arm.rule_body(rule), f"rule {rule.name}"))
    return plan


def format_plan(plan: Sequence[PlannedRequest], output: str = "text") -> str:
    """The plan as a dry run prints it: every request with method, URL and JSON body."""
    if output == "json":
        return json.dumps([{"method": r.method, "url": r.url, "body": r.body, "what": r.what,
                            **({"deleteItemsExcept": sorted(r.keep_items)} if r.keep_items is not None else {})}
                           for r in plan], indent=2, ensure_ascii=False) + "\n"
    chunks = []
    for request in plan:
        lines = [f"# {request.what}", f"{request.method} {request.url}"]
        if request.keep_items is not None:
            lines.append(f"# then DELETE each listed item that is not one of the {len(request.keep_items)} above")
        if request.body is not None:
            lines += ["Content-Type: application/json", "", json.dumps(request.body, indent=2, ensure_ascii=False)]
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"


# -- sending -------------------------------------------------------------------------------
@dataclass
class Response:
    """What a sender returns: status, headers (lower-case names) and the parsed JSON body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None


class Sender(Protocol):
    def __call__(self, method: str, url: str, body: dict[str, Any] | None) -> Response: ...


@dataclass
class DeployResult:
    """What a deployment did: the requests sent, with their status codes."""

    sent: list[tuple[str, str, int]] = field(default_factory=list)
    deleted_items: list[str] = field(default_factory=list)


def execute(plan: Sequence[PlannedRequest], send: Sender, *, progress: Callable[[str], None] | None = None,
            sleep: Callable[[float], None] = time.sleep, poll_timeout: float = 300.0) -> DeployResult:
    """Send a plan in order and stop at the first failure (what succeeded before it stays)."""
    result = DeployResult()
    origin = _origin(plan[0].url) if plan else ""
    for request in plan:
        if request.keep_items is not None:
            _prune_items(request, send, result, origin, progress)
            continue
        response = _checked(send, request.method, request.url, request.body, request.what, result)
        _wait_if_async(response, send, request.what, origin, sleep, poll_timeout)
        if progress:
            progress(f"{request.what}: done ({response.status})")
    return result


def _checked(send: Sender, method: str, url: str, body: Any, what: str, result: DeployResult) -> Response:
    response = send(method, url, body)
    result.sent.append((method, url, response.status))
    if response.status >= 400:
        done = sum(1 for _, _, status in result.sent if status < 400)
        raise DeployError(f"{what}: {method} returned HTTP {response.status}{_arm_error(response.body)} "
                          f"({done} request(s) succeeded before it)")
    return response


def _prune_items(request: PlannedRequest, send: Sender, result: DeployResult, origin: str,
                 progress: Callable[[str], None] | None) -> None:
    url: str | None = request.url
    stale: list[str] = []
    while url:
        response = _checked(send, "GET", url, None, request.what, result)
        body = response.body if isinstance(response.body, dict) else {}
        stale.extend(item["name"] for item in body.get("value") or []
                     if isinstance(item, dict) and isinstance(item.get("name"), str)
                     and item["name"] not in (request.keep_items or ()))
        url = body.get("nextLink")
        if url:
            _same_origin(url, origin, "a nextLink")
    list_path, _, query = request.url.partition("?")
    for name in stale:
        _checked(send, "DELETE", f"{list_path}/{quote(name, safe='')}?{query}", None, f"{request.what}: {name}",
                 result)
        result.deleted_items.append(name)
    if progress:
        progress(f"{request.what}: {len(stale)} deleted")


def _wait_if_async(response: Response, send: Sender, what: str, origin: str, sleep: Callable[[float], None],
                   timeout: float) -> None:
    # Watchlist writes may finish asynchronously (201 + Azure-AsyncOperation); items need the
    # watchlist to exist, so wait for it.
    status_url = response.headers.get("azure-asyncoperation")
    if response.status not in (201, 202) or not status_url:
        return
    _same_origin(status_url, origin, "an Azure-AsyncOperation address")
    waited = 0.0
    while True:
        poll = send("GET", status_url, None)
        state = str((poll.body or {}).get("status", "")).lower() if isinstance(poll.body, dict) else ""
        if poll.status >= 400 or state in ("failed", "canceled", "cancelled"):
            raise DeployError(f"{what}: the operation did not succeed (HTTP {poll.status}, status {state or '?'})"
                              f"{_arm_error(poll.body)}")
        if state in _DONE:
            return
        delay = min(max(float(poll.headers.get("retry-after", "2") or 2), 1.0), 30.0)
        if waited + delay > timeout:
            raise DeployError(f"{what}: still running after {int(timeout)} seconds; check the workspace")
        sleep(delay)
        waited += delay


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _same_origin(url: str, origin: str, what: str) -> None:
    # The bearer token goes with every request: never follow a link to another host.
    if _origin(url) != origin:
        raise DeployError(f"Azure returned {what} on another host ({_origin(url)}); refusing to follow it")


def _arm_error(body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f": {error.get('code', '')}: {error.get('message', '')}".rstrip(": ")
    return ""


def azure_sender(endpoint: str = ARM_ENDPOINT, *, credential: Any = None, transport: Any = None) -> Sender:
    """A sender over azure-core's pipeline with a bearer token for `endpoint` (DefaultAzureCredential
    unless a credential is given). `transport` replaces the HTTP transport (tests)."""
    try:
        from azure.core import PipelineClient
        from azure.core.exceptions import AzureError
        from azure.core.pipeline.policies import (
            BearerTokenCredentialPolicy,
            HeadersPolicy,
            RetryPolicy,
            UserAgentPolicy,
        )
        from azure.core.rest import HttpRequest
    except ImportError:
        raise AzureSdkMissingError("azure-core") from None
    if credential is None:
        try:
            from azure.identity import DefaultAzureCredential
        except ImportError:
            raise AzureSdkMissingError("azure-identity") from None
        credential = DefaultAzureCredential()
    policies = [HeadersPolicy(), UserAgentPolicy(f"revertguard/{__version__}"), RetryPolicy(),
                BearerTokenCredentialPolicy(credential, f"{endpoint.rstrip('/')}/.default")]
    client = PipelineClient(endpoint, policies=policies, transport=transport)

    def send(method: str, url: str, body: dict[str, Any] | None) -> Response:
        request = HttpRequest(method, url, json=body) if body is not None else HttpRequest(method, url)
        try:
            response = client.send_request(request)
            response.read()
        except AzureError as exc:
            raise DeployError(f"{method} {url.split('?')[0]}: {type(exc).__name__}: {exc.message}") from None
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        return Response(response.status_code, {k.lower(): v for k, v in response.headers.items()}, parsed)

    return send


# -- the command -----------------------------------------------------------------------------
def deploy(selection: str | Path | Iterable[str | Path], workspace: Workspace, *,
           watchlist_paths: Iterable[str | Path] = (), dry_run: bool = False, send: Sender | None = None,
           progress: Callable[[str], None] | None = None) -> tuple[list[PlannedRequest], DeployResult | None]:
    """Validate and plan a deployment; send it unless `dry_run` (then no credential or network is used)."""
    rules, watchlists = load_valid_content(selection, watchlist_paths)
    if not rules:
        raise UsageError("no rules selected to deploy")
    plan = plan_deployment(rules, watchlists, workspace)
    if dry_run:
        return plan, None
    return plan, execute(plan, send or azure_sender(workspace.endpoint), progress=progress)
