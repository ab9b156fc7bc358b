"""A real ``streamlit run`` on loopback for the benchmark: start, wait until healthy, read its memory, stop.

Ports are chosen at runtime (never the default 8501 nor the ones people use by hand). The server runs in
its own process group so a Ctrl-C in the terminal reaches the benchmark, whose ``finally`` stops it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from earnings.write.database import ROOT

RESERVED_PORTS = {8501, 8765, 8766, 8770}
FLOOR_APP = "benchmarks/floor_app.py"
# The floor runs as Streamlit ships: the project's .streamlit/config.toml (read from the folder the server starts
# in) turns off the full garbage collection after every run for the dashboard; the floor keeps it.
FLOOR_FLAGS = ("--runner.postScriptGC", "true")
SERVER_FLAGS = (
    "--server.headless",
    "true",
    "--server.address",
    "127.0.0.1",
    "--browser.gatherUsageStats",
    "false",
    "--server.fileWatcherType",
    "none",
)


def free_port() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process in MiB (psutil when installed, else /proc/PID/status)."""
    try:
        import psutil  # optional

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        pass
    except Exception:  # the process is gone
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (from /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class Server:
    """``with Server("dashboard.py", env={...}) as s:`` -> s.base ("http://127.0.0.1:PORT"), s.ws, s.rss()."""

    def __init__(
        self,
        script: str,
        *,
        env: dict[str, str] | None = None,
        log_dir: Path,
        name: str,
        launcher: list[str] | None = None,
    ) -> None:
        self.script = script
        self.launcher = launcher or ["-m", "streamlit"]  # what runs ``streamlit run`` (e.g. a profiling wrapper)
        self.env = {**os.environ, **(env or {})}
        self.log_path = Path(log_dir) / f"{name}.log"
        self.name = name
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.started_in_s = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/_stcore/stream"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss(self) -> float | None:
        return rss_mib(self.pid) if self.proc else None

    def cpu(self) -> float | None:
        return cpu_seconds(self.pid) if self.proc else None

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as r:  # a loopback URL we built
                return r.status == 200
        except OSError:
            return False

    def start(self, timeout: float = 60) -> Server:
        self.port = free_port()
        cmd = [sys.executable, *self.launcher, "run", self.script, "--server.port", str(self.port), *SERVER_FLAGS]
        cmd += FLOOR_FLAGS if self.script == FLOOR_APP else ()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        started = time.perf_counter()
        self.proc = subprocess.Popen(  # our own interpreter and arguments
            cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not self._healthy():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit ({self.script}) did not become healthy:\n{self.log_path.read_text()}")
            time.sleep(0.1)
        self.started_in_s = time.perf_counter() - started
        return self

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
