"""Real HTTP servers on loopback for exchange tests.

`SenServer` is a second Sen server: gunicorn serving `config.wsgi` in a subprocess, production
settings (config.settings.base), its own SQLite database file (migrated once per test session and
copied for each server), its own var directory and SECRET_KEY, and its own agency code
(SEN_EXCHANGE_ORGAN_ID). Jobs run in-process there (no REDIS_URL), as in the embedded default.
Talk to it over HTTP (`base_url`), run its management commands (`manage`), read its database
(`sql`). Fixtures that start one are in sen.integrations.tests.fixtures.

`LoopbackHttpServer` is a plain HTTP server in a thread that records what it receives and answers
what a test tells it to (a peer that is down, slow or refusing).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from django.conf import settings

START_TIMEOUT = 60
COMMAND_TIMEOUT = 180
# Settings of the test process that must not leak into the second server.
_NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SEN_VAR_DIR", "SECRET_KEY", "S3_BUCKET")


def _environment(*, var_dir: Path, database: Path, organ_id: str, secret_key: str, extra: dict[str, str]) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in _NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SECRET_KEY=secret_key,
        SEN_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{database}",
        SEN_EXCHANGE_ORGAN_ID=organ_id,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def _run(args: Iterable[str], *, env: dict, input_text: str | None = None) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        input=input_text,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
        )
    return completed.stdout


def migrated_database(directory: Path) -> Path:
    """A fresh SQLite database with every migration applied (about 15 s: do it once per session)."""
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "template.sqlite3"
    env = _environment(
        var_dir=directory, database=database, organ_id="000.00.00.X00", secret_key=secrets.token_urlsafe(50), extra={}
    )
    _run(["migrate", "--noinput"], env=env)
    return database


@dataclass
class SenServer:
    organ_id: str
    workdir: Path
    database: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    base_url: str

    @classmethod
    def start(
        cls, *, template: Path, workdir: Path, organ_id: str, extra_env: dict[str, str] | None = None
    ) -> SenServer:
        workdir.mkdir(parents=True, exist_ok=True)
        database = workdir / "sen.sqlite3"
        shutil.copyfile(template, database)
        env = _environment(
            var_dir=workdir,
            database=database,
            organ_id=organ_id,
            secret_key=secrets.token_urlsafe(50),
            extra=extra_env or {},
        )
        log_path = workdir / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    *("-m", "gunicorn", "config.wsgi:application", "--bind", "127.0.0.1:0"),
                    *("--workers", "1", "--threads", "4", "--timeout", "120", "--no-control-socket"),
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = cls(organ_id=organ_id, workdir=workdir, database=database, env=env, process=process, base_url="")
        server.base_url = server._wait_until_listening()
        return server

    @property
    def log(self) -> str:
        return (self.workdir / "server.log").read_text(errors="replace")[-6000:]

    def _wait_until_listening(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        url = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"The second Sen server exited ({self.process.returncode}):\n{self.log}")
            if not url:
                found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log)
                url = found.group(1) if found else ""
            if url:
                try:
                    if requests.get(url + "/healthz", timeout=5).status_code == 200:
                        return url
                except requests.RequestException:
                    pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"The second Sen server did not start in {START_TIMEOUT} s:\n{self.log}")

    def manage(self, *args: str, input_text: str | None = None) -> str:
        """Run a management command against this server's database and settings."""
        return _run(args, env=self.env, input_text=input_text)

    def add_peer(self, *, organ_id: str, name: str, base_url: str, secret: str) -> None:
        self.manage("exchange_peer", organ_id, "--name", name, "--url", base_url, "--secret-stdin", input_text=secret)

    def sql(self, query: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Read this server's database (read-only)."""
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=20)
        try:
            return connection.execute(query, tuple(params)).fetchall()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


# --- A scripted HTTP peer ------------------------------------------------------------------------
@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LoopbackHttpServer:
    """Answers each POST with the next of `answers` ((status, JSON text)); the last one repeats."""

    answers: list[tuple[int, str]] = field(default_factory=lambda: [(202, '{"state": "received"}')])
    received: list[Received] = field(default_factory=list)

    def start(self) -> LoopbackHttpServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner.received.append(Received(self.path, dict(self.headers.items()), self.rfile.read(length)))
                status, body = owner.answers[0] if len(owner.answers) == 1 else owner.answers.pop(0)
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port_url() -> str:
    """An address where nothing listens (a port just freed): connecting is refused."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
