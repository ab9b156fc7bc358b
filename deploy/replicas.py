"""N replicas of the dashboard behind nginx, on one machine or many.

    python -m deploy.replicas --replicas 2 --port 8080
        two `python -m earnings serve` processes on free loopback ports, nginx on 127.0.0.1:8080 in front
    python -m deploy.replicas --replicas 2 --port 8080 --no-balancer --replica-address 10.0.0.11 --replica-port 8601
        on an app machine: only the replicas (10.0.0.11:8601 and :8602), for a balancer elsewhere
    python -m deploy.replicas --port 8080 --listen 0.0.0.0 --upstream 10.0.0.11:8601 --upstream 10.0.0.12:8601
        on the balancer machine: only nginx, in front of replicas on other machines

Every replica gets the same ``server.cookieSecret`` (``STREAMLIT_SERVER_COOKIE_SECRET``; one is generated for
this run when it is unset: give the same one to every machine) and the same ``EARNINGS_DB`` (inherited). nginx
runs in the foreground as the current user from a runtime folder (config, pid, logs and temp files under
it), so it needs no root and leaves the system's nginx alone. Ctrl-C or SIGTERM stops everything. A replica
that dies is started again on its port (``--no-restart``: left down); meanwhile nginx sends its viewers to
another replica, where their tab reopens the same view from its URL.

The nginx configuration and why it is built so: deploy/nginx.conf.template.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().with_name("nginx.conf.template")
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
STICKY_COOKIE = "earnings_replica"  # set by nginx (the template's maps), hashed onto the replicas
DEBUG_HEADER = "X-Earnings-Replica"  # only with --debug-header: which replica answered ($upstream_addr)
FAIL_TIMEOUT_S = 10  # a replica that failed is left out this long, then tried again
HEALTH = "/_stcore/health"


def log(text: str) -> None:
    print(f"[replicas {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def nginx_path() -> str | None:
    """Debian's nginx (``apt-get install nginx``): on PATH or /usr/sbin/nginx (not on a user's PATH)."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (chosen by the kernel)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def split_address(address: str) -> tuple[str, int]:
    """``"10.0.0.11:8601"`` -> ("10.0.0.11", 8601); ``"[::1]:8601"`` -> ("::1", 8601). ValueError if malformed."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{address!r} is not HOST:PORT")
    if host.startswith("["):
        if not host.endswith("]"):
            raise ValueError(f"{address!r} is not HOST:PORT")
        host = host[1:-1]
    elif ":" in host:
        raise ValueError(f"{address!r}: write an IPv6 address in brackets, [::1]:8601")
    if any(c.isspace() or c in ";{}'\"#$" for c in host):  # it goes into the nginx configuration
        raise ValueError(f"{address!r} is not HOST:PORT")
    return host, int(port)


def join_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _connect_host(host: str) -> str:
    """Where to reach a server listening on ``host`` from this machine (a wildcard: loopback)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "*": "127.0.0.1"}.get(host, host)


def health_status(base: str, timeout: float = 2.0) -> tuple[int | None, str | None]:
    """(HTTP status of ``base``/_stcore/health, the debug header if sent); (None, None) if nothing answered."""
    try:
        with urllib.request.urlopen(base + HEALTH, timeout=timeout) as r:  # a URL built from our own address
            return r.status, r.headers.get(DEBUG_HEADER)
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get(DEBUG_HEADER)
    except OSError:
        return None, None


def cookie_secret(env: Mapping[str, str] | None = None) -> str:
    """The replicas' shared ``server.cookieSecret``: $STREAMLIT_SERVER_COOKIE_SECRET, else a new random one."""
    env = os.environ if env is None else env
    return env.get(COOKIE_SECRET_ENV) or secrets.token_hex(32)


def render_config(
    upstreams: Sequence[str],
    *,
    listen: str = "127.0.0.1:8080",
    debug_header: bool = False,
    fail_timeout_s: int = FAIL_TIMEOUT_S,
    worker_user: str | None = None,
) -> str:
    """The nginx configuration (deploy/nginx.conf.template) for these replicas (``HOST:PORT`` each).

    ``debug_header`` adds ``X-Earnings-Replica: $upstream_addr`` to every response (tests, benchmarks): off by
    default, since on several machines it tells anyone the internal addresses and ports. ``worker_user``: the
    ``user`` directive, needed only when nginx is started by root (its workers then run as that user).
    """
    if not upstreams:
        raise ValueError("no replica to balance")
    for u in upstreams:
        split_address(u)  # raises on anything that is not HOST:PORT
    split_address(listen)
    lines = {  # each fills a line of its own (nothing at all when empty)
        "{{servers}}": [
            f"        server {u} max_fails=1 fail_timeout={int(fail_timeout_s)}s;" for u in dict.fromkeys(upstreams)
        ],
        "{{debug_header}}": [
            f"        add_header {DEBUG_HEADER} $upstream_addr always;  # --debug-header: not for a public link"
        ]
        if debug_header
        else [],
        "{{user}}": [f"user {worker_user};"] if worker_user else [],
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in lines.items():
        text = text.replace(key + "\n", "".join(line + "\n" for line in value))
    text = text.replace("{{listen}}", listen)
    if "{{" in text:
        raise ValueError(f"{TEMPLATE.name}: a field was left unfilled: {text[text.index('{{') :][:40]!r}")
    return text


def _root_worker_user() -> str | None:
    """Started by root, nginx's workers drop to an unprivileged user: ``nobody`` and its group."""
    if os.geteuid() != 0:
        return None
    import grp

    user = pwd.getpwnam("nobody")
    return f"nobody {grp.getgrgid(user.pw_gid).gr_name}"


def _proc_cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Replica:
    """One ``python -m earnings serve --server.port PORT --server.address ADDRESS`` process."""

    def __init__(
        self,
        port: int,
        *,
        address: str = "127.0.0.1",
        env: Mapping[str, str] | None = None,
        log_path: Path,
        args: Sequence[str] = (),
    ) -> None:
        self.port, self.address = port, address
        self.env = dict(os.environ if env is None else env)
        self.log_path = Path(log_path)
        self.args = list(args)
        self.proc: subprocess.Popen | None = None

    @property
    def upstream(self) -> str:
        """``HOST:PORT`` as nginx names it (also what ``$upstream_addr`` reports on loopback)."""
        return join_address(self.address, self.port)

    @property
    def base(self) -> str:
        return f"http://{join_address(_connect_host(self.address), self.port)}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "earnings",
            "serve",
            "--server.port",
            str(self.port),
            "--server.address",
            self.address,
            *self.args,
        ]

    def start(self) -> Replica:
        """Start the process (not waiting for it: see ``wait_healthy``)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a") as out:
            self.proc = subprocess.Popen(  # our own interpreter and arguments
                self.command(), cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def healthy(self) -> bool:
        return self.alive() and health_status(self.base)[0] == 200

    def kill(self) -> None:
        """Gone at once, as a crash or a lost machine would be (SIGKILL, no goodbye to its websockets)."""
        if self.alive():
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        _stop(proc)

    def cpu_s(self) -> float | None:
        return _proc_cpu_s(self.proc.pid) if self.alive() and self.proc else None


def wait_healthy(replicas: Sequence[Replica], timeout: float = 90) -> None:
    """Until every replica answers its health check; RuntimeError (with its log) if one exits or time runs out."""
    pending = list(replicas)
    deadline = time.monotonic() + timeout
    while pending:
        for r in list(pending):
            if not r.alive():
                tail = r.log_path.read_text(errors="replace")[-3000:] if r.log_path.exists() else ""
                raise RuntimeError(f"replica {r.upstream} exited before it was healthy:\n{tail}")
            if r.healthy():
                pending.remove(r)
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"not healthy after {timeout:.0f} s: " + ", ".join(r.upstream for r in pending))
        if pending:
            time.sleep(0.1)


class Balancer:
    """nginx in the foreground from its own runtime folder: ``nginx -c R/nginx.conf -p R/ -g 'daemon off;'``."""

    def __init__(
        self,
        upstreams: Sequence[str],
        *,
        port: int,
        listen_address: str = "127.0.0.1",
        runtime: Path | None = None,
        debug_header: bool = False,
        fail_timeout_s: int = FAIL_TIMEOUT_S,
        nginx: str | None = None,
    ) -> None:
        self.upstreams = list(upstreams)
        self.port, self.listen_address = port, listen_address
        self.debug_header, self.fail_timeout_s = debug_header, fail_timeout_s
        self.nginx = nginx or nginx_path()
        self._own_runtime = runtime is None
        self.runtime = Path(runtime) if runtime else Path(tempfile.mkdtemp(prefix="earnings-nginx-"))
        self.proc: subprocess.Popen | None = None

    @property
    def listen(self) -> str:
        return join_address(self.listen_address, self.port)

    @property
    def base(self) -> str:
        return f"http://{join_address(_connect_host(self.listen_address), self.port)}"

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://", 1) + "/_stcore/stream"

    @property
    def config_path(self) -> Path:
        return self.runtime / "nginx.conf"

    @property
    def error_log(self) -> Path:
        return self.runtime / "logs" / "error.log"

    @property
    def access_log(self) -> Path:
        return self.runtime / "logs" / "access.log"

    def write_config(self) -> Path:
        user = _root_worker_user()
        (self.runtime / "logs").mkdir(parents=True, exist_ok=True)
        (self.runtime / "tmp").mkdir(exist_ok=True)
        if user:  # root's workers run as nobody: they must reach their temp folders under the prefix
            self.runtime.chmod(0o711)
            closed = [p for p in self.runtime.resolve().parents if not p.stat().st_mode & 0o001]
            if closed:
                log(f"warning: nginx's workers (nobody) cannot pass {closed[0]}: large responses may fail")
        self.config_path.write_text(
            render_config(
                self.upstreams,
                listen=self.listen,
                debug_header=self.debug_header,
                fail_timeout_s=self.fail_timeout_s,
                worker_user=user,
            ),
            encoding="utf-8",
        )
        return self.config_path

    def command(self) -> list[str]:
        if self.nginx is None:
            raise RuntimeError("nginx is not installed: apt-get install nginx")
        return [self.nginx, "-c", str(self.config_path), "-p", f"{self.runtime}/", "-g", "daemon off;"]

    def _listening(self) -> bool:
        host, port = split_address(self.base.removeprefix("http://"))
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            return False

    def _problem(self, what: str) -> RuntimeError:
        out = (self.runtime / "logs" / "nginx.out").read_text(errors="replace") if self.runtime.exists() else ""
        err = self.error_log.read_text(errors="replace")[-3000:] if self.error_log.exists() else ""
        return RuntimeError(f"nginx {what} ({self.config_path}):\n{out}{err}")

    def start(self, timeout: float = 30, *, wait_for_replicas: bool = True) -> Balancer:
        """Write the configuration, start nginx, wait until it listens (and, by default, a replica answers)."""
        self.write_config()
        with (self.runtime / "logs" / "nginx.out").open("a") as out:
            self.proc = subprocess.Popen(  # nginx with the configuration written just above
                self.command(), cwd=self.runtime, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while not self._listening():
            if self.proc.poll() is not None:
                raise self._problem(f"exited with status {self.proc.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise self._problem(f"does not listen on {self.listen} after {timeout:.0f} s")
            time.sleep(0.05)
        while wait_for_replicas and health_status(self.base)[0] != 200:
            if self.proc.poll() is not None:
                raise self._problem(f"exited with status {self.proc.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise self._problem(f"no replica answers {HEALTH} through it after {timeout:.0f} s")
            time.sleep(0.1)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def pids(self) -> list[int]:
        """The master and its workers."""
        if not self.alive() or self.proc is None:
            return []
        pid = self.proc.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *(int(c) for c in children)]

    def cpu_s(self) -> float | None:
        """CPU seconds used so far by the master and its current workers."""
        times = [_proc_cpu_s(p) for p in self.pids()]
        known = [t for t in times if t is not None]
        return sum(known) if known else None

    def stop(self) -> None:
        """Fast shutdown (SIGTERM: open websockets are closed, their tabs reconnect elsewhere or later)."""
        proc, self.proc = self.proc, None
        _stop(proc)

    def remove_runtime(self) -> None:
        """Delete the runtime folder if this object made it."""
        if self._own_runtime:
            shutil.rmtree(self.runtime, ignore_errors=True)

    def __enter__(self) -> Balancer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.remove_runtime()


class Deployment:
    """N replicas on this machine and nginx in front: ``with Deployment(2, port=8080) as d:`` (d.base, d.replicas).

    The database: ``EARNINGS_DB`` from ``env`` (or the bundled file, built once here before the replicas start,
    rather than by every replica at once).
    """

    def __init__(
        self,
        replicas: int = 2,
        *,
        port: int = 8080,
        listen_address: str = "127.0.0.1",
        replica_address: str = "127.0.0.1",
        replica_ports: Sequence[int] | None = None,
        env: Mapping[str, str] | None = None,
        runtime: Path | None = None,
        balancer: bool = True,
        debug_header: bool = False,
        fail_timeout_s: int = FAIL_TIMEOUT_S,
        replica_args: Sequence[str] = (),
    ) -> None:
        if replicas < 1:
            raise ValueError("at least one replica")
        self.env = dict(os.environ if env is None else env)
        self.env[COOKIE_SECRET_ENV] = cookie_secret(self.env)
        self._own_runtime = runtime is None
        self.runtime = Path(runtime) if runtime else Path(tempfile.mkdtemp(prefix="earnings-replicas-"))
        ports = list(replica_ports or [free_port(_connect_host(replica_address)) for _ in range(replicas)])
        if len(ports) != replicas:
            raise ValueError(f"{replicas} replicas need {replicas} ports, got {len(ports)}")
        self.replicas = [
            Replica(
                p,
                address=replica_address,
                env=self.env,
                log_path=self.runtime / "logs" / f"replica-{i}.log",
                args=replica_args,
            )  # fmt: skip
            for i, p in enumerate(ports, 1)
        ]
        self.balancer = (
            Balancer(
                [r.upstream for r in self.replicas],
                port=port,
                listen_address=listen_address,
                runtime=self.runtime,
                debug_header=debug_header,
                fail_timeout_s=fail_timeout_s,
            )
            if balancer
            else None
        )

    @property
    def base(self) -> str:
        assert self.balancer is not None
        return self.balancer.base

    def build_once(self) -> None:
        """The bundled database, when it is the one served and missing: built here, once."""
        location = self.env.get("EARNINGS_DB") or ""
        from earnings.write import database  # the project's own build (the deploy tool depends on the app)

        if database.first_build_needed(location or str(database.DEFAULT_DB)):
            log(f"building {database.DEFAULT_DB} (first start)")
            database.build()

    def start(self, timeout: float = 90) -> Deployment:
        try:
            self.build_once()
            for r in self.replicas:
                r.start()
            wait_healthy(self.replicas, timeout)
            if self.balancer is not None:
                self.balancer.start(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def restart_dead(self, timeout: float = 90) -> list[Replica]:
        """Start again every replica whose process has exited, on its port; the ones restarted."""
        dead = [r for r in self.replicas if not r.alive()]
        for r in dead:
            r.stop()
            r.start()
        wait_healthy(dead, timeout)
        return dead

    def stop(self) -> None:
        if self.balancer is not None:
            self.balancer.stop()  # first: no new request reaches a replica that is stopping
        for r in self.replicas:
            if r.proc is not None and r.alive():
                r.proc.terminate()  # all at once, then wait for each
        for r in self.replicas:
            r.stop()

    def remove_runtime(self) -> None:
        if self._own_runtime:
            shutil.rmtree(self.runtime, ignore_errors=True)

    def __enter__(self) -> Deployment:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.remove_runtime()


# --- the command ------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m deploy.replicas",
        description="Run N replicas of the dashboard behind nginx (sticky sessions, failover). See deploy/README.md.",
        epilog="Options after -- go to every replica's `python -m earnings serve` (e.g. -- --server.allowedHosts x).",
    )
    p.add_argument("--replicas", type=int, default=2, help="replicas to start on this machine (default: 2)")
    p.add_argument("--port", type=int, default=8080, help="the port nginx listens on (default: 8080)")
    p.add_argument("--listen", default="127.0.0.1", help="the address nginx listens on (default: 127.0.0.1)")
    p.add_argument(
        "--upstream",
        action="append",
        metavar="HOST:PORT",
        help="a replica on another machine (repeat for each): start only nginx, in front of these",
    )
    p.add_argument("--no-balancer", action="store_true", help="start only the replicas (an app machine)")
    p.add_argument("--replica-address", default="127.0.0.1", help="the address replicas listen on (default: loopback)")
    p.add_argument("--replica-port", type=int, help="the first replica's port, then +1 each (default: free ports)")
    p.add_argument("--runtime", type=Path, help="folder for nginx.conf, pid, logs, temp (default: a new temp folder)")
    p.add_argument("--debug-header", action="store_true", help=f"send {DEBUG_HEADER}: $upstream_addr (not in public)")
    p.add_argument("--fail-timeout", type=int, default=FAIL_TIMEOUT_S, help="seconds a failed replica is left out")
    p.add_argument("--no-restart", action="store_true", help="leave a replica that died down (nginx routes around it)")
    p.add_argument("--print-config", action="store_true", help="print the nginx configuration and exit")
    return p


class _Stop(Exception):
    pass


def _on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: object) -> None:
        stop.set()
        raise _Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _ignore_signals() -> None:
    """While stopping: a second Ctrl-C or SIGTERM must not cut the clean-up short."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        extra, argv = argv[argv.index("--") + 1 :], argv[: argv.index("--")]
    args = parser().parse_args(argv)
    if args.upstream and args.no_balancer:
        parser().error("--upstream (only nginx) and --no-balancer (only replicas) exclude each other")
    try:
        upstreams = [join_address(*split_address(u)) for u in args.upstream or []]
        split_address(join_address(args.listen, args.port))
    except ValueError as e:
        parser().error(str(e))
    if args.replicas < 1:
        parser().error("--replicas: at least 1")
    needs_nginx = not args.no_balancer
    if needs_nginx and not args.print_config and nginx_path() is None:
        print("nginx is not installed: apt-get install nginx (Debian's package)", file=sys.stderr)
        return 2
    ports = [args.replica_port + i for i in range(args.replicas)] if args.replica_port else None

    if args.print_config:
        shown = upstreams or [
            join_address(args.replica_address, p) for p in (ports or range(8601, 8601 + args.replicas))
        ]
        print(render_config(shown, listen=join_address(args.listen, args.port), debug_header=args.debug_header,
                            fail_timeout_s=args.fail_timeout, worker_user=_root_worker_user()), end="")  # fmt: skip
        return 0

    stop = threading.Event()
    _on_signals(stop)
    if upstreams:
        balancer = Balancer(upstreams, port=args.port, listen_address=args.listen, runtime=args.runtime,
                            debug_header=args.debug_header, fail_timeout_s=args.fail_timeout)  # fmt: skip
        try:
            balancer.start(wait_for_replicas=False)
            log(f"nginx on {balancer.base} in front of {', '.join(upstreams)} (config {balancer.config_path})")
            status, _ = health_status(balancer.base)
            if status != 200:
                log(f"no replica answers {HEALTH} yet ({status}): start them with the same cookieSecret")
            while not stop.wait(1):
                if not balancer.alive():
                    raise SystemExit(balancer._problem("exited").args[0])
        except (_Stop, KeyboardInterrupt):
            log("stopping")
        finally:
            _ignore_signals()
            balancer.stop()
            balancer.remove_runtime()
        return 0

    secret_given = bool(os.environ.get(COOKIE_SECRET_ENV))
    d = Deployment(
        args.replicas,
        port=args.port,
        listen_address=args.listen,
        replica_address=args.replica_address,
        replica_ports=ports,
        runtime=args.runtime,
        balancer=needs_nginx,
        debug_header=args.debug_header,
        fail_timeout_s=args.fail_timeout,
        replica_args=extra,
    )
    try:
        log(f"starting {args.replicas} replica(s): " + ", ".join(r.upstream for r in d.replicas))
        d.start()
        if not secret_given:
            log(f"generated a cookieSecret for this run ({COOKIE_SECRET_ENV}); set it yourself on several machines")
        for r in d.replicas:
            log(f"replica {r.upstream} (pid {r.pid}, log {r.log_path})")
        if d.balancer is not None:
            log(f"nginx (pid {d.balancer.proc.pid if d.balancer.proc else '?'}, config {d.balancer.config_path})")
            log(f"open {d.base}/   (Ctrl-C stops everything)")
        while not stop.wait(1):
            if d.balancer is not None and not d.balancer.alive():
                raise SystemExit(d.balancer._problem("exited").args[0])
            dead = [r for r in d.replicas if not r.alive()]
            if dead and not args.no_restart:
                log("replica(s) exited: " + ", ".join(r.upstream for r in dead) + "; starting them again")
                try:
                    d.restart_dead()
                    log("back: " + ", ".join(f"{r.upstream} (pid {r.pid})" for r in dead))
                except RuntimeError as e:  # nginx keeps routing around it; tried again in a second
                    log(f"could not start it again: {e}")
    except (_Stop, KeyboardInterrupt):
        log("stopping")
    finally:
        _ignore_signals()
        d.stop()
        d.remove_runtime()
    return 0


if __name__ == "__main__":
    sys.exit(main())
