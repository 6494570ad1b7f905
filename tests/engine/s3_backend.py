"""An S3-compatible server on localhost (moto's server mode) for shared-state engine tests.

moto runs from its own venv (``.venv-s3``, from the hash-pinned requirements-s3.lock): its
botocore needs python-dateutil<3, which the development venv's kubernetes client does not
allow. The venv is made on first use with the same uv as ``make venv``.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .harness import ROOT

S3_VENV = ROOT / ".venv-s3"
S3_LOCK = ROOT / "requirements-s3.lock"
BUCKET = "moorage-state"
REGION = "us-east-1"


def s3_venv() -> Path:
    """``.venv-s3`` with moto's server, from requirements-s3.lock (made once)."""
    server = S3_VENV / "bin" / "moto_server"
    if server.exists():
        return server
    uv = subprocess.run(
        [str(ROOT / "tools" / "setup-venv"), "--print-uv"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run([uv, "venv", "--quiet", "--python", "python3", str(S3_VENV)], check=True)
    python = str(S3_VENV / "bin" / "python")
    sync = [uv, "pip", "sync", "--quiet", "--python", python, "--require-hashes", str(S3_LOCK)]
    subprocess.run(sync, check=True)
    return server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class S3Backend:
    """A bucket on the local S3 server, and how the Pulumi CLI reaches it."""

    endpoint: str

    @property
    def url(self) -> str:
        """The backend URL a team would use for an S3-compatible store (MinIO, Ceph, moto).

        The pinned CLI's gocloud uses the AWS SDK v2: ``use_path_style=true`` puts the
        bucket in the path (``s3ForcePathStyle=true`` is the v1 spelling, still accepted);
        ``response_checksum_validation=when_required`` stops a warning on every response
        from a store that sends no checksums.
        """
        return (
            f"s3://{BUCKET}?endpoint={self.endpoint}&use_path_style=true&region={REGION}"
            "&response_checksum_validation=when_required"
        )

    @property
    def env(self) -> dict[str, str]:
        """Credentials for the local server (it accepts any) and the backend URL."""
        return {
            "PULUMI_BACKEND_URL": self.url,
            "AWS_ACCESS_KEY_ID": "moorage-test",
            "AWS_SECRET_ACCESS_KEY": "moorage-test",
            "AWS_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def keys(self, prefix: str = "") -> list[str]:
        """Object keys in the bucket under ``prefix`` (a plain ListObjectsV2)."""
        query = f"?list-type=2&prefix={prefix}"
        with urllib.request.urlopen(f"{self.endpoint}/{BUCKET}{query}", timeout=10) as reply:
            body = reply.read().decode()
        return [part.split("</Key>")[0] for part in body.split("<Key>")[1:]]


@contextlib.contextmanager
def s3_server(log_dir: Path) -> Iterator[S3Backend]:
    """Start moto's S3 server on a free port with an empty bucket; stop it afterwards."""
    server = s3_venv()
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with (log_dir / "moto.log").open("w") as log:
        process = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(f"{endpoint}/{BUCKET}", method="PUT")
                urllib.request.urlopen(request, timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, (log_dir / "moto.log").read_text()
                assert time.monotonic() < deadline, "the S3 server did not answer in 60 s"
                time.sleep(0.3)
        yield S3Backend(endpoint)
    finally:
        process.terminate()
        process.wait(timeout=30)
