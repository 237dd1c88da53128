"""What the server exposes: a warning when it listens beyond this machine without a login, no file uploads,
and failed logins throttled per client. Real app, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.small_talk import ingest_small_talk

from ui.exposure import LOGIN_FAILURES, exposure_warning

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small_service(tmp_path_factory):
    from rag.service import QAService

    settings, _ = ingest_small_talk(tmp_path_factory.mktemp("exposure"))
    return QAService.from_settings(settings, build_if_missing=False, progress=False)


def _post(url: str, data: bytes, content_type: str) -> tuple[int, str]:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - 127.0.0.1
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def _upload(url: str) -> tuple[int, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"evil.html\"\r\n"
            f"Content-Type: text/html\r\n\r\n<script>alert(1)</script>\r\n--{boundary}--\r\n").encode()
    return _post(url + "gradio_api/upload", body, f"multipart/form-data; boundary={boundary}")


def _login(url: str, user: str, password: str) -> tuple[int, str]:
    form = urllib.parse.urlencode({"username": user, "password": password}).encode()
    return _post(url + "login", form, "application/x-www-form-urlencoded")


def test_the_warning_names_the_exposure_and_the_fix():
    assert exposure_warning("127.0.0.1", False) is None and exposure_warning("localhost", False) is None
    assert exposure_warning("::1", False) is None and exposure_warning("0.0.0.0", True) is None
    for host in ("0.0.0.0", "::", "192.168.1.20"):
        message = exposure_warning(host, False)
        assert message and host in message and "--auth" in message


def test_serve_on_all_interfaces_without_a_login_warns(small_service):
    from ui.testing import free_port

    port = free_port()
    env = {**os.environ, "INTERVIEW_QA_HOME": str(small_service.settings.home), "HF_HUB_OFFLINE": "1"}
    env.pop("INTERVIEW_QA_AUTH", None)
    proc = subprocess.Popen([str(Path(sys.executable).with_name("interview-qa")), "serve", "--host", "0.0.0.0",
                             "--port", str(port)], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "warning:" not in line:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
        assert "warning: serving on 0.0.0.0 without a login" in line, line
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_uploads_are_refused(small_service):
    from ui.testing import running_app

    with running_app(small_service) as url:
        status, body = _upload(url)
    assert status == 403 and "uploads are disabled" in body, (status, body)


def test_failed_logins_are_throttled_per_client(small_service):
    from ui.testing import running_app

    with running_app(small_service, auth=("ada", "analytical-engine")) as url:
        assert _login(url, "ada", "analytical-engine")[0] == 200  # the right password works
        for _ in range(LOGIN_FAILURES):
            assert _login(url, "ada", "guess")[0] == 400
        status, body = _login(url, "ada", "analytical-engine")
        assert status == 429 and "too many failed logins" in json.loads(body)["detail"], (status, body)
        status, _ = _login(url, "ada", "another guess")
        assert status == 429
