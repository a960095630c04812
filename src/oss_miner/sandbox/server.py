"""The forge sandbox server: one FastAPI app speaking GitHub, Gitee and GitLab over one World.

Layout of the single port:
    /github/...            GitHub REST (PyGithub base_url) and /github/graphql
    /gitee/api/v5/...      Gitee
    /gitlab/api/v4/...     GitLab (python-gitlab url = /gitlab)
    /_sandbox/stats        accounting; POST .../reset, POST .../advance?fraction=

Every platform request passes the gate (`SandboxApp.__call__`): token -> account, latency, GitHub's
secondary limit, seeded faults, the account's budget, rate-limit headers, accounting, and the
`X-Synthetic-Data` header on every answer. The endpoints themselves only read the world.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import math
import os
import signal
import socket
import struct
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from collections.abc import Iterator
from typing import Any, Callable
from urllib.parse import parse_qsl, quote, unquote

import orjson
import uvicorn
from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route

from oss_miner.labels import SYNTHETIC_HEADER, SYNTHETIC_HEADER_VALUE
from oss_miner.sandbox import faults as fx
from oss_miner.sandbox import instances
from oss_miner.sandbox.accounting import Accounting
from oss_miner.sandbox.gitee_api import GiteeApi
from oss_miner.sandbox.github_api import GithubApi
from oss_miner.sandbox.gitlab_api import GitlabApi
from oss_miner.sandbox.graphql_api import GraphqlApi
from oss_miner.sandbox.huggingface_api import HuggingFaceApi
from oss_miner.sandbox.modelscope_api import ModelScopeApi
from oss_miner.sandbox.model import World
from oss_miner.sandbox.protocol import Ctx, Reply, WorldView, origin_of, render

PREFIX = {"github": "/github", "gitee": "/gitee/api/v5", "gitlab": "/gitlab/api/v4",
          "huggingface": "/huggingface", "modelscope": "/modelscope"}
STATS = "/_sandbox/stats"
SECRET_PARAMS = ("access_token", "private_token")
# on every answer of a forge endpoint: what the pipeline records as a synthetic run (the real forges never send it)
SYNTHETIC_MARK = (SYNTHETIC_HEADER.lower().encode(), SYNTHETIC_HEADER_VALUE.encode())


@dataclass
class SandboxOptions:
    """How the sandbox behaves; every field has the CLI flag of the same name."""

    seed: int = 7
    scale: float = 1.0
    as_of: date | None = None  # the world's clock (its history runs up to this date); None: today (UTC)
    tokens: dict[str, str] = field(default_factory=dict)  # token -> account; empty: any token, one account each
    rate_limit: int | None = None  # requests (GraphQL: points) per account per window; None: unlimited
    rate_window_s: float = 60.0
    secondary_limit: int | None = None  # GitHub requests in flight per account before 403 + Retry-After
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = fx.FAULT_KINDS
    timeout_delay_s: float = 5.0
    latency_ms: int = 0
    catalogue_path: str | None = None
    code_search_limit: int | None = fx.CODE_SEARCH_LIMIT  # GitHub: 10 code searches a minute
    code_search_window_s: float = fx.CODE_SEARCH_WINDOW_S

    def __post_init__(self) -> None:
        from oss_miner.sandbox.world import check_as_of, today

        # resolved once, so that a server and the truth written from these options agree past midnight
        self.as_of = check_as_of(self.as_of or today())
        self.fault_kinds = tuple(self.fault_kinds)
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError(f"rate limit must be at least 1 (got {self.rate_limit})")
        if self.rate_window_s <= 0:
            raise ValueError(f"rate window must be positive seconds (got {self.rate_window_s})")
        if self.secondary_limit is not None and self.secondary_limit < 1:
            raise ValueError(f"secondary limit must be at least 1 (got {self.secondary_limit})")
        if self.latency_ms < 0 or self.timeout_delay_s < 0:
            raise ValueError("latency and timeout delay cannot be negative")
        fx.FaultPlan(self.seed, self.fault_rate, self.fault_kinds)  # validates rate and kinds


def urls_for(base: str) -> dict[str, str]:
    return {"github": f"{base}/github", "github_graphql": f"{base}/github/graphql", "gitee": f"{base}/gitee/api/v5",
            "gitlab": f"{base}/gitlab", "huggingface": f"{base}/huggingface", "modelscope": f"{base}/modelscope",
            "stats": f"{base}{STATS}"}


# ------------------------------------------------------------------------------------------- state

class SandboxState:
    """What the gate and the endpoints share: the world, budgets, faults, accounting."""

    def __init__(self, world: World, options: SandboxOptions):
        self.world = world
        self.options = options
        self.view = WorldView(world)
        self.accounting = Accounting()
        self.limiter = fx.Limiter(options.rate_limit, options.rate_window_s)
        self.code_search = fx.Limiter(options.code_search_limit, options.code_search_window_s)
        self.search = fx.Limiter(30, 60.0)
        self.inflight = fx.InFlight(options.secondary_limit)
        self.faults = fx.FaultPlan(options.seed, options.fault_rate, options.fault_kinds)

    def _limiter(self, resource: str) -> fx.Limiter:
        return {"code_search": self.code_search, "search": self.search}.get(resource, self.limiter)

    def clock(self, resource: str) -> float:
        return self._limiter(resource).clock()

    def budget(self, platform: str, account: str, resource: str) -> fx.Budget:
        return self._limiter(resource).budget((platform, account, resource))

    def spend(self, platform: str, account: str, resource: str, amount: int = 1) -> bool:
        return self._limiter(resource).spend((platform, account, resource), amount)

    def refund(self, platform: str, account: str, resource: str, amount: int = 1) -> None:
        self._limiter(resource).refund((platform, account, resource), amount)

    def advance(self, fraction: float) -> None:
        from oss_miner.sandbox.world import advance

        advance(self.world, fraction)
        self.view.refresh(force=True)

    def reset_stats(self) -> None:
        self.accounting.reset()
        self.faults.reset()

    def account_for(self, token: str | None) -> tuple[str | None, bool]:
        """(account, accepted). Listed tokens name their account; without a list every token is its own."""
        if self.options.tokens:
            account = self.options.tokens.get(token) if token else None
            return account, account is not None
        if not token:
            return None, True
        return "token-" + hashlib.sha256(token.encode()).hexdigest()[:8], True


def token_of(platform: str, headers: Headers, query: dict[str, str]) -> str | None:
    if platform == "gitlab" and headers.get("private-token"):
        return headers["private-token"]
    auth = headers.get("authorization") or ""
    scheme, _, value = auth.partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value:
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            return base64.b64decode(value).decode().partition(":")[2] or None
    if platform == "gitee":
        return query.get("access_token") or None
    if platform == "gitlab":
        return query.get("private_token") or query.get("access_token") or None
    return None


def resource_of(platform: str, endpoint: str) -> str | None:
    """Which budget a request spends (None: free; 'graphql' is charged by the executor in points)."""
    if platform == "github":
        if endpoint == "/rate_limit":
            return None
        if endpoint == "/graphql":
            return "graphql"
        if endpoint == "/search/code":
            return "code_search"
    return "core"


def unauthorized(platform: str) -> tuple[int, dict, Any]:
    if platform == "github":
        return 401, {}, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest",
                         "status": "401"}
    if platform == "gitee":
        return 401, {}, {"message": "401 Unauthorized: Access token does not exist"}
    return 401, {}, {"message": "401 Unauthorized"}


def _gitlab_route_path(scope: dict) -> str:
    """Decode the path but keep an encoded slash inside a segment (a project's url-encoded path)."""
    raw = scope.get("raw_path") or scope["path"].encode()
    parts = raw.decode("latin-1").split("/")
    return "/".join(quote(unquote(p, encoding="utf-8", errors="replace"), safe="") if "%2F" in p.upper()
                    else unquote(p, encoding="utf-8", errors="replace") for p in parts)


def _target(scope: dict) -> str:
    """The request target as faults are keyed: path plus sorted query, secrets left out."""
    query = sorted((k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                   if k not in SECRET_PARAMS)
    return scope["path"] + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


# -------------------------------------------------------------------------------------------- gate

class Recorder:
    """Wraps ASGI send: remembers the status, counts body bytes and marks the answer as synthetic data."""

    def __init__(self, send: Callable):
        self.send = send
        self.status: int | None = None
        self.nbytes = 0
        self.on_start: Callable[[dict], None] | None = None

    async def __call__(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            message["headers"] = [*message.get("headers", []), SYNTHETIC_MARK]
            if self.on_start is not None:
                self.on_start(message)
        elif message["type"] == "http.response.body":
            self.nbytes += len(message.get("body", b""))
        await self.send(message)


async def _respond(send: Callable, status: int, headers: dict[str, str], body: Any) -> None:
    if isinstance(body, str):
        data, kind = body.encode(), b"text/plain; charset=utf-8"
    else:
        data, kind = orjson.dumps(body), b"application/json; charset=utf-8"
    raw = [(b"content-type", kind), (b"content-length", str(len(data)).encode())]
    raw += [(k.lower().encode(), str(v).encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


def _transport(send: Callable) -> Any:
    """uvicorn's transport behind its send callable, to drop a connection the way a network does."""
    cycle = getattr(send, "__self__", None)
    return getattr(cycle, "transport", None)


async def _abort(send: Callable) -> None:
    transport = _transport(send)
    if transport is None:
        raise ConnectionAbortedError("the sandbox could not reach the connection to reset it")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, not FIN
    transport.abort()
    await asyncio.sleep(0)  # let uvicorn see the disconnect before the app returns


class SandboxApp(FastAPI):
    """FastAPI app whose outermost layer is the sandbox's gate."""

    def __init__(self, state: SandboxState):
        super().__init__(title="oss-miner forge sandbox", docs_url=None, redoc_url=None, openapi_url=None)
        self.sandbox = state
        self.platform_routes: dict[str, list[Route]] = {p: [] for p in PREFIX}

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        platform = None
        if scope["type"] == "http":
            path = scope["path"]
            platform = next((p for p, prefix in PREFIX.items() if path == prefix or path.startswith(prefix + "/")), None)
        if platform is None:
            await super().__call__(scope, receive, send)
            return
        await self._gate(scope, receive, send, platform)

    def _endpoint_of(self, scope: dict, platform: str) -> str:
        for route in self.platform_routes[platform]:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return route.path[len(PREFIX[platform]):] or "/"
        return "unknown"

    async def _gate(self, scope: dict, receive: Callable, send: Callable, platform: str) -> None:
        state = self.sandbox
        state.view.refresh()
        if platform == "gitlab":
            scope["path"] = _gitlab_route_path(scope)
        endpoint = self._endpoint_of(scope, platform)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        account, accepted = state.account_for(token_of(platform, Headers(scope=scope), query))
        label = account or "anonymous"
        recorder = Recorder(send)
        injected: str | None = None
        try:
            if not accepted:
                await _respond(recorder, *unauthorized(platform))
                return
            if platform == "github" and not state.inflight.enter(label):
                await _respond(recorder, *fx.secondary_exceeded(state.options.rate_window_s))
                return
            try:
                injected = await self._serve(scope, receive, recorder, platform, endpoint, account, label)
            finally:
                if platform == "github":
                    state.inflight.leave(label)
        finally:
            state.accounting.record(platform, label, endpoint, recorder.status, injected, recorder.nbytes)

    async def _serve(self, scope: dict, receive: Callable, recorder: Recorder, platform: str, endpoint: str,
                     account: str | None, label: str) -> str | None:
        """Latency, faults, budget, then the endpoint. Returns the injected fault kind, if any."""
        state = self.sandbox
        options = state.options
        if options.latency_ms:
            await asyncio.sleep(options.latency_ms / 1000)
        resource = resource_of(platform, endpoint)
        decision = state.faults.decide(platform, label, _target(scope))
        kind = decision[0] if decision else None
        if kind is not None and kind != "truncated":
            await self._inject(recorder, platform, label, resource, kind, decision[1])
            return kind
        spent = resource is not None and resource != "graphql"  # GraphQL is charged in points by its executor
        if spent and not state.spend(platform, label, resource):
            budget = state.budget(platform, label, resource)
            await _respond(recorder, *fx.limit_exceeded(platform, label, budget, resource, state.clock(resource)))
            return None

        def on_start(message: dict) -> None:
            if spent and platform == "github" and account is not None and message["status"] == 304:
                state.refund(platform, label, resource)  # GitHub: an authenticated 304 is free
            if platform == "github":
                budget = state.budget(platform, label, resource or "core")
                message["headers"] = list(message.get("headers", [])) + [
                    (k.lower().encode(), v.encode()) for k, v in fx.github_rate_headers(budget, resource or "core").items()]
            elif platform == "huggingface":  # the IETF draft form, on every answer
                budget = state.budget(platform, label, resource or "core")
                message["headers"] = list(message.get("headers", [])) + [
                    (k.lower().encode(), v.encode()) for k, v in fx.ietf_rate_headers(budget, state.clock(resource or "core"),
                                                                                       state.options.rate_window_s).items()]

        recorder.on_start = on_start
        scope["sandbox"] = {"platform": platform, "account": account}
        if kind == "truncated":
            await self._truncated(scope, receive, recorder)
            return kind
        await super().__call__(scope, receive, recorder)
        return None

    async def _inject(self, send: Recorder, platform: str, label: str, resource: str | None, kind: str,
                      variant: int) -> None:
        options = self.sandbox.options
        if kind == "5xx":
            await _respond(send, *fx.server_error(platform, variant))
        elif kind == "timeout":
            await asyncio.sleep(options.timeout_delay_s)
            await _respond(send, 504, {}, {"message": "We couldn't respond to your request in time. Sorry about that."})
        elif kind == "reset":
            await _abort(send.send)
        elif kind == "ratelimit":
            limit = self.sandbox.budget(platform, label, resource or "core").limit
            status, headers, body = fx.injected_rate_limit(platform, label, limit, options.rate_window_s, time.time(),
                                                           resource or "core")
            if platform == "github" and resource == "graphql":
                status, body = 200, {"errors": [{"type": "RATE_LIMITED",
                                                 "message": f"API rate limit exceeded for user {label}."}]}
            await _respond(send, status, headers, body)

    async def _truncated(self, scope: dict, receive: Callable, recorder: Recorder) -> None:
        """Serve the real answer but cut its body in half and drop the connection."""
        messages: list[dict] = []

        async def capture(message: dict) -> None:
            messages.append(message)

        await super().__call__(scope, receive, capture)
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        if len(body) < 2:
            await recorder(start)
            await recorder({"type": "http.response.body", "body": body})
            return
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await recorder({**start, "headers": headers})
        await recorder({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        await _abort(recorder.send)


def _endpoint(platform: str, handler: Callable[..., Reply]) -> Callable:
    async def run(request: Request) -> Response:
        meta = request.scope.get("sandbox") or {}
        ctx = Ctx(request, platform, meta.get("account"), origin_of(request))
        if request.method in ("POST", "PUT"):
            request.state.body = await request.body()
        return render(ctx, handler(ctx, **request.path_params))
    return run


def _stats_routes(app: SandboxApp) -> None:
    state = app.sandbox

    async def stats(request: Request) -> Response:
        return Response(orjson.dumps(state.accounting.snapshot()), media_type="application/json")

    async def reset(request: Request) -> Response:
        state.reset_stats()
        return JSONResponse({"reset": True})

    async def advance(request: Request) -> Response:
        try:
            fraction = float(request.query_params.get("fraction", "0.01"))
            if not 0 < fraction <= 1 or math.isnan(fraction):
                raise ValueError
        except ValueError:
            return JSONResponse({"message": "fraction must be a number in (0, 1], e.g. ?fraction=0.01"}, 400)
        state.advance(fraction)
        return JSONResponse({"advances": state.world.advances, "now": state.world.now.isoformat()})

    app.add_route(STATS, stats, methods=["GET"])
    app.add_route(f"{STATS}/reset", reset, methods=["POST"])
    app.add_route(f"{STATS}/advance", advance, methods=["POST"])


def create_app(world: World, options: SandboxOptions | None = None) -> FastAPI:
    """The sandbox as an ASGI app over `world` (which it reads, and moves on only through /advance)."""
    options = options or SandboxOptions()
    app = SandboxApp(SandboxState(world, options))
    apis = {"github": [GithubApi(app.sandbox), GraphqlApi(app.sandbox)], "gitee": [GiteeApi(app.sandbox)],
            "gitlab": [GitlabApi(app.sandbox)], "huggingface": [HuggingFaceApi(app.sandbox)],
            "modelscope": [ModelScopeApi(app.sandbox)]}
    for platform, handlers in apis.items():
        for api in handlers:
            for path, handler in api.routes():
                methods = getattr(api, "methods", {}).get(path) or (["POST"] if path == "/graphql" else ["GET"])
                route = Route(PREFIX[platform] + path, _endpoint(platform, handler), methods=methods)
                app.router.routes.append(route)
                app.platform_routes[platform].append(route)
    _stats_routes(app)

    async def not_found(request: Request, exc: Exception) -> Response:
        return JSONResponse({"message": "Not Found"}, status_code=404)

    app.add_exception_handler(404, not_found)
    return app


# ------------------------------------------------------------------------------------------ running

def build_sandbox_world(options: SandboxOptions, root: Path) -> World:
    """The synthetic world for these options, from the sandbox catalogue (or options.catalogue_path)."""
    from oss_miner.config import load_config
    from oss_miner.sandbox.world import build_world

    catalogue = load_config(options.catalogue_path, sandbox=True, environ={})
    return build_world(options.seed, options.scale, instances.main_catalogue(catalogue), root, as_of=options.as_of)


def build_instance_worlds(options: SandboxOptions, root: Path) -> dict[str, World]:
    """A world of its own for each instance of the catalogue not named after its dialect (see instances.py)."""
    from oss_miner.config import load_config

    catalogue = load_config(options.catalogue_path, sandbox=True, environ={})
    return instances.instance_worlds(options.seed, options.scale, catalogue, root, options.as_of)


def mounted_app(world: World, worlds: dict[str, World], options: SandboxOptions) -> tuple[FastAPI, Any]:
    """(the main app, the ASGI app serving it and every extra instance below its prefix)."""
    main = create_app(world, options)
    return main, instances.Mounted(main, {name: create_app(w, options) for name, w in worlds.items()})


def served_urls(base: str, worlds: dict[str, World]) -> dict[str, str]:
    """Today's keys (github, github_graphql, gitee, gitlab, stats), then each extra instance under its NAME."""
    apis = {name: next(iter(w.catalogue.platforms)) for name, w in worlds.items()}  # its world's one dialect
    return {**urls_for(base), **instances.instance_urls(urls_for, base, apis)}


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it small
    # answers wait 40 ms for delayed ACKs
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _public_base(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    return f"http://{shown}:{port}"


class _Server(uvicorn.Server):
    """uvicorn without its signal handling: the caller decides how the server stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


def _config(app: FastAPI) -> uvicorn.Config:
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", ws="none",
                          proxy_headers=False, server_header=False, timeout_keep_alive=30,
                          timeout_graceful_shutdown=2)


def pipeline_environment(urls: dict[str, str], github: str = "sandbox-github-1,sandbox-github-2,sandbox-github-3",
                         gitee: str = "sandbox-gitee", gitlab: str = "sandbox-gitlab") -> dict[str, str]:
    """The environment that points oss-miner at a sandbox: its endpoints and tokens (each distinct
    GitHub token is an account of its own unless the sandbox was given --token)."""
    hubs = {"OSS_MINER_HUGGINGFACE_URL": urls["huggingface"], "OSS_MINER_MODELSCOPE_URL": urls["modelscope"],
            "HF_TOKEN": "sandbox-huggingface", "MODELSCOPE_TOKEN": "sandbox-modelscope"} \
        if "huggingface" in urls and "modelscope" in urls else {}  # a caller's own URLs may name the forges only
    return {
        "OSS_MINER_GITHUB_URL": urls["github"], "OSS_MINER_GITHUB_GRAPHQL_URL": urls["github_graphql"],
        "OSS_MINER_GITEE_URL": urls["gitee"], "OSS_MINER_GITLAB_URL": urls["gitlab"],
        "GITHUB_TOKEN": github, "GITEE_TOKEN": gitee, "GITLAB_TOKEN": gitlab, **hubs,
    }


@contextlib.contextmanager
def environment_applied(values: dict[str, str | None]) -> Iterator[None]:
    """Set (None: remove) these environment variables for the block, then put back what was there: the
    pipeline reads its endpoints and tokens from the environment, so this is how it is pointed at a sandbox."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        _set_environment(values)
        yield
    finally:
        _set_environment(saved)


def _set_environment(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


class SandboxServer:
    """The sandbox on 127.0.0.1 and a free port, in a background thread; a context manager.

    >>> with SandboxServer(SandboxOptions(seed=7)) as sandbox:
    ...     Github(base_url=sandbox.urls["github"])
    """

    def __init__(self, options: SandboxOptions | None = None, world: World | None = None, host: str = "127.0.0.1"):
        self.options = options or SandboxOptions()
        self.world = world
        self.host = host
        self.urls: dict[str, str] = {}
        self.instances: dict[str, World] = {}  # the extra instances' worlds, by NAME
        self.app: FastAPI | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "SandboxServer":
        if self.world is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="oss-miner-sandbox-")
            self.world = build_sandbox_world(self.options, Path(self._tmp.name))
            self.instances = build_instance_worlds(self.options, Path(self._tmp.name))
        self.app, served = mounted_app(self.world, self.instances, self.options)
        sock = _bind(self.host, 0)
        self._server = _Server(_config(served))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name="oss-miner-sandbox")
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.005)
        self.urls = served_urls(_public_base(sock, self.host), self.instances)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @property
    def state(self) -> SandboxState:
        assert self.app is not None, "start the server first"
        return self.app.sandbox  # type: ignore[attr-defined]

    def stats(self) -> dict[str, Any]:
        return self.state.accounting.snapshot()

    def environment(self, **tokens: str) -> dict[str, str]:
        """The environment that points oss-miner at this sandbox (see `pipeline_environment`) and at the extra
        instances it serves."""
        return {**pipeline_environment(self.urls, **tokens), **instances.instance_environment(self.urls, list(self.instances))}

    def applied(self, **tokens: str) -> contextlib.AbstractContextManager[None]:
        """Within the block, oss-miner in this process mines this sandbox."""
        return environment_applied(self.environment(**tokens))

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(options: SandboxOptions | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve in the foreground: print the URLs as one JSON line once listening; stop on SIGINT/SIGTERM."""
    options = options or SandboxOptions()
    with tempfile.TemporaryDirectory(prefix="oss-miner-sandbox-") as tmp:
        world = build_sandbox_world(options, Path(tmp))
        worlds = build_instance_worlds(options, Path(tmp))
        _, app = mounted_app(world, worlds, options)
        sock = _bind(host, port)
        server = _Server(_config(app))

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
            task = asyncio.create_task(server.serve(sockets=[sock]))
            while not server.started:
                if task.done():
                    await task
                    return
                await asyncio.sleep(0.005)
            print(json.dumps(served_urls(_public_base(sock, host), worlds)), flush=True)
            await task

        asyncio.run(main())
        sock.close()
