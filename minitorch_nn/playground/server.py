"""The playground's HTTP server: the standard library's ThreadingHTTPServer, JSON over POST.

The page polls: while playing it asks ``/api/play`` again as soon as a frame arrives; each
request trains for about 50 ms and answers with the new frame, so training only runs while a
tab asks for it and a tab that goes away leaves nothing running. Endpoints (all JSON, each
with the tab's ``session`` id)::

    GET  /                      the page; GET /static/<file> its script and style
    POST /api/open              {session, config}        -> {state, frame}
    POST /api/config            {session, config}        -> {state, frame, rebuilt}
    POST /api/play | /api/step  {session, since}         -> {frame}  (train ~50 ms | 1 epoch)
    POST /api/frame             {session, since}         -> {frame}  (no training)
    POST /api/reset             {session}                -> {state, frame}
    POST /api/graph             {session, layer, neuron, point} -> {graph}
    POST /api/export            {session}                -> {command, script}
    POST /api/close             {session}                -> {closed}
    GET  /api/checkpoint?session=ID   the model as model.safetensors (a download)
    GET  /api/health            {ok, sessions}

A bad request gets HTTP 400 and ``{"error": "<one message>"}``; an unknown or expired session
404 (the page then opens it again with its settings).
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .session import Session
from .settings import TRAIN_BUDGET, Config, ConfigError, parse_config
from .store import SessionGone, SessionStore

MAX_BODY = 64 * 1024  # bytes; a request is a few hundred
LOOPBACK = ("127.0.0.1", "localhost", "::1")
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
REAP_EVERY = 30.0  # seconds between sweeps for idle sessions


def dumps(payload: Any) -> bytes:
    """Strict JSON (no NaN) as UTF-8 bytes."""
    return json.dumps(payload, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _static_files() -> dict[str, tuple[bytes, str]]:
    """Every file in static/ by name, read once: (bytes, content type)."""
    folder = resources.files(__package__).joinpath("static")
    files = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in STATIC_TYPES:
            files[entry.name] = (entry.read_bytes(), STATIC_TYPES[suffix])
    return files


def _warm_up() -> None:
    """Build and drop one default session, so the modules it needs are imported."""
    Session(Config())


class RequestError(Exception):
    """A request the server refuses, with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _fields(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ConfigError(
            f"unknown field {unknown[0]!r} in the request; expected {', '.join(allowed)}"
        )


def _since(body: dict[str, Any]) -> int:
    since = body.get("since", -1)
    if isinstance(since, bool) or not isinstance(since, int):
        raise ConfigError(f"since must be an integer epoch, got {since!r}")
    return since


class PlaygroundServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer holding the sessions, the static files and a sweeper thread."""

    daemon_threads = True  # a request still running does not keep the process alive
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], store: SessionStore | None = None) -> None:
        super().__init__(address, Handler)
        self.store = store if store is not None else SessionStore()
        self.static = _static_files()
        self._stop = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep, name="playground-reaper", daemon=True)
        self._sweeper.start()
        # the first dataset imports scikit-learn (seconds on a busy machine): do it now
        threading.Thread(target=_warm_up, name="playground-warm-up", daemon=True).start()

    def _sweep(self) -> None:
        while not self._stop.wait(REAP_EVERY):
            self.store.reap()

    def server_close(self) -> None:
        self._stop.set()
        super().server_close()
        self.store.clear()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is normal; anything else is printed."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
        return f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"


class Handler(BaseHTTPRequestHandler):
    """One request: a static file, the checkpoint download, or a JSON API call."""

    server: PlaygroundServer
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK of the headers (tens of ms on every frame)
    disable_nagle_algorithm = True
    timeout = 60  # seconds a connection may stay silent (a half-sent request, an idle tab)
    server_version = "minitorch-nn-playground"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the page polls ten times a second."""

    # ---- answers
    def _send(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the tab went away; nothing to clean up

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, dumps(payload), "application/json")

    def _fail(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def _refuse(self, exc: Exception) -> None:
        """Answer a request that raised ``exc``: 400 for a bad setting or field, 404 for an
        unknown session, a RequestError's own status; 500 (and the traceback) for a bug."""
        if isinstance(exc, RequestError):
            self._fail(exc.status, str(exc))
        elif isinstance(exc, ConfigError):
            self._fail(400, str(exc))
        elif isinstance(exc, SessionGone):
            self._fail(404, str(exc))
        else:  # a bug: say so, keep serving
            traceback.print_exc()
            self._fail(500, f"internal error: {type(exc).__name__}: {exc}")

    # ---- GET
    def _host_refused(self) -> bool:
        """On a loopback address, answer only requests addressed to it: a web page whose
        domain was made to resolve to 127.0.0.1 (DNS rebinding) sends its own Host header."""
        if str(self.server.server_address[0]) not in LOOPBACK:
            return False
        host = urlsplit(f"//{self.headers.get('Host', '')}").hostname or ""
        if host in LOOPBACK:
            return False
        self._fail(403, f"Host {host!r} refused: the playground answers http://127.0.0.1 only")
        return True

    def do_GET(self) -> None:  # noqa: N802
        if self._host_refused():
            return
        url = urlsplit(self.path)
        path = url.path
        if path in ("/", "/index.html"):
            path = "/static/index.html"
        if path.startswith("/static/"):
            entry = self.server.static.get(path[len("/static/") :])
            if entry is None:
                self._fail(404, f"no file {path!r}")
            else:
                self._send(200, entry[0], entry[1])
        elif path == "/api/health":
            self._json(200, {"ok": True, "sessions": len(self.server.store)})
        elif path == "/api/checkpoint":
            self._checkpoint(parse_qs(url.query).get("session", [""])[0])
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        else:
            self._fail(404, f"no page {path!r}; the playground is at /")

    def _checkpoint(self, session_id: str) -> None:
        try:
            session = self.server.store.get(SessionStore.check_id(session_id))
            with session.lock:
                try:
                    data = session.checkpoint()
                except ValueError as exc:  # save_model refuses NaN weights
                    raise RequestError(409, f"cannot save this model: {exc}") from exc
        except Exception as exc:
            self._refuse(exc)
        else:
            self._send(
                200,
                data,
                "application/octet-stream",
                {"Content-Disposition": 'attachment; filename="model.safetensors"'},
            )

    # ---- POST
    def do_POST(self) -> None:  # noqa: N802
        if self._host_refused():
            return
        try:
            body = self._body()
            action = urlsplit(self.path).path.removeprefix("/api/")
            if not self.path.startswith("/api/") or action not in ACTIONS:
                raise RequestError(
                    404, f"no API call {self.path!r}; expected /api/<{'|'.join(ACTIONS)}>"
                )
            payload = ACTIONS[action](self.server.store, body)
        except Exception as exc:
            self._refuse(exc)
        else:
            self._json(200, payload)

    def _body(self) -> dict[str, Any]:
        if self.headers.get_content_type() != "application/json":
            # a form or text/plain POST is what another site's page may send without asking
            self.close_connection = True
            raise RequestError(
                415, f"Content-Type {self.headers.get_content_type()!r}; expected application/json"
            )
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit():
            raise RequestError(411, "a POST needs a Content-Length header")
        length = int(length_text)
        if length > MAX_BODY:
            self.close_connection = True  # the body is not read
            raise RequestError(413, f"request body of {length} bytes; at most {MAX_BODY}")
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"malformed JSON in the request body: {exc}") from None
        if not isinstance(body, dict):
            raise ConfigError(f"the request body must be a JSON object, got {type(body).__name__}")
        return body


# --------------------------------------------------------------------------- API calls
Action = Callable[[SessionStore, dict[str, Any]], dict[str, Any]]
Answer = Callable[[Session, dict[str, Any]], dict[str, Any]]


def _on_session(*fields: str) -> Callable[[Answer], Action]:
    """An API call on the request's session: the body holds ``session`` and at most
    ``fields``; idle sessions are freed, then the session is looked up and held locked while
    the answer is computed."""

    def wrap(answer: Answer) -> Action:
        def call(store: SessionStore, body: dict[str, Any]) -> dict[str, Any]:
            _fields(body, ("session", *fields))
            store.reap()
            session = store.get(SessionStore.check_id(body.get("session")))
            with session.lock:
                return answer(session, body)

        return call

    return wrap


def _open(store: SessionStore, body: dict[str, Any]) -> dict[str, Any]:
    _fields(body, ("session", "config"))
    session_id = SessionStore.check_id(body.get("session"))
    config = parse_config(body.get("config", {}))
    store.reap()
    session = store.open(session_id, config)
    with session.lock:
        return {"state": session.state(), "frame": session.frame()}


@_on_session("config", "since")
def _config(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    rebuilt = session.update(parse_config(body.get("config", {}), base=session.config))
    since = -1 if rebuilt else _since(body)
    return {"state": session.state(), "frame": session.frame(since), "rebuilt": rebuilt}


def _train(budget: float | None) -> Action:
    @_on_session("since")
    def call(session: Session, body: dict[str, Any]) -> dict[str, Any]:
        since = _since(body)
        session.train(budget=budget, epochs=1)
        return {"frame": session.frame(since)}

    return call


@_on_session("since")
def _frame(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    return {"frame": session.frame(_since(body))}


@_on_session()
def _reset(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    session.reset()
    return {"state": session.state(), "frame": session.frame()}


@_on_session("layer", "neuron", "point")
def _graph(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    return {"graph": session.graph(body.get("layer"), body.get("neuron"), body.get("point"))}


@_on_session()
def _export(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    return session.export()


def _close(store: SessionStore, body: dict[str, Any]) -> dict[str, Any]:
    _fields(body, ("session",))
    return {"closed": store.close(SessionStore.check_id(body.get("session")))}


ACTIONS: dict[str, Action] = {
    "open": _open,
    "config": _config,
    "play": _train(TRAIN_BUDGET),
    "step": _train(None),
    "frame": _frame,
    "reset": _reset,
    "graph": _graph,
    "export": _export,
    "close": _close,
}


# --------------------------------------------------------------------------- serve
def make_server(
    host: str = "127.0.0.1", port: int = 8000, store: SessionStore | None = None
) -> PlaygroundServer:
    """A server bound to (host, port) (port 0: any free port), not yet serving."""
    return PlaygroundServer((host, port), store)


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = True) -> None:
    """Serve the playground at http://host:port/ until Ctrl-C; open a browser tab unless
    ``open_browser`` is False. Listening on anything but the loopback address prints a
    warning: anyone who can reach that address can use the server (it has no login)."""
    try:
        server = make_server(host, port)
    except OSError as exc:
        raise OSError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "is another server using that port? pass another --port"
        ) from exc
    if host not in LOOPBACK:
        print(
            f"warning: listening on {host}, not 127.0.0.1: anyone who can reach this machine "
            "on that address can use the playground (it has no login)",
            file=sys.stderr,
        )
    print(f"minitorch-nn playground at {server.url} (Ctrl-C stops it)", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        print("\nplayground stopped", flush=True)
    finally:
        server.server_close()
