"""Page latency under load: gunicorn (production settings) with concurrent signed-in clients.

Starts gunicorn on a loopback port against DATABASE_URL, signs in an oversight user
(who sees every row), and sends each page a fixed number of requests from several
client threads at once. Reports p50 and p95 per page. The login page, which reads no
agency data, is measured in the same run as the baseline, so the ratio survives a
noisy machine:

    DATABASE_URL=postgres://... python manage.py loaddemo --systems 100000
    DATABASE_URL=postgres://... python -m bench.list_load [--clients 4] [--requests 100]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = 8765  # --port: another free loopback port when several runs share the machine
BENCH_USER = "bench-oversight"
BENCH_PASSWORD = "bench-oversight-password-2026"

PAGES = {
    "systems, page 1": "/systems/",
    "systems, page 400": "/systems/?page=400",
    "systems, search 'Army'": "/systems/?q=Army",
    "systems, agency filter": "/systems/?agency={army}",
    "systems, high + migrating": "/systems/?criticality=high&status=migrating",
    "dashboard": "/directives/{directive}/",
}


def prepare_user() -> dict[str, int]:
    """Creates the oversight user; returns ids the page addresses need."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
    django.setup()
    from procurement.inventory.models import Agency, Directive, User

    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"is_oversight": True})
    user.set_password(BENCH_PASSWORD)
    user.save()
    return {
        "army": Agency.objects.get(abbreviation="ARMY").pk,
        "directive": Directive.objects.order_by("pk").values_list("pk", flat=True).first(),
    }


def start_gunicorn(workers: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "k" * 50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=environment, check=True
    )
    command = [sys.executable, "-m", "gunicorn", "procurement.wsgi:application", "--bind", f"127.0.0.1:{PORT}"]
    process = subprocess.Popen([*command, "--workers", str(workers)], cwd=ROOT, env=environment)
    for _ in range(100):
        try:
            Client().request("/accounts/login/")
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


class Client:
    """A signed-in browser stand-in. Production settings mark cookies Secure and expect
    HTTPS behind a proxy, so it says so (X-Forwarded-Proto) and keeps cookies itself."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        headers = {"X-Forwarded-Proto": "https", "Referer": "https://127.0.0.1/", "Host": "127.0.0.1"}
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, text

    def sign_in(self) -> Client:
        _, form = self.request("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        fields = {"username": BENCH_USER, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token}
        status, _ = self.request("/accounts/login/", fields)
        assert status == 302, f"sign-in failed ({status})"
        return self


def timed_requests(client: Client, path: str, count: int) -> list[float]:
    seconds = []
    for _ in range(count):
        start = time.perf_counter()
        status, _ = client.request(path)
        seconds.append(time.perf_counter() - start)
        assert status == 200, (path, status)
    return seconds


def measure(openers: list, path: str, requests: int, server_pid: int) -> tuple[float, float, float, float]:
    """p50 and p95 in ms of `requests` requests spread over all clients at once, and the
    CPU the gunicorn workers and PostgreSQL spent on them, in ms a request."""
    timed_requests(openers[0], path, 2)  # warm each worker's caches
    per_client = max(requests // len(openers), 1)
    workers_before, database_before = cpu_ms(worker_pids(server_pid)), cpu_ms(postgres_pids())
    with concurrent.futures.ThreadPoolExecutor(len(openers)) as pool:
        runs = pool.map(lambda opener: timed_requests(opener, path, per_client), openers)
        seconds = sorted(second for run in runs for second in run)
    answered = len(seconds)
    workers_cpu = (cpu_ms(worker_pids(server_pid)) - workers_before) / answered
    database_cpu = (cpu_ms(postgres_pids()) - database_before) / answered
    p95 = seconds[min(answered - 1, round(0.95 * answered) - 1)]
    return statistics.median(seconds) * 1000, p95 * 1000, workers_cpu, database_cpu


# CPU per request, read from /proc (Linux): what the latency is made of. With 4 clients on
# 2 workers and 2 cores the machine is busy throughout, so a request's latency is about
# clients × (CPU per request, everything included) ÷ cores; the CPU figures travel better
# between machines and runs than the latencies do.
def cpu_ms(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone since listed
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():  # self, thread-self and the kernel's files
            continue
        try:
            head, _, tail = (entry / "stat").read_text().rpartition(")")
        except (OSError, NotADirectoryError):
            continue
        found.append((int(entry.name), int(tail.split()[1]), head.partition("(")[2]))
    return found


def worker_pids(server_pid: int) -> list[int]:
    return [pid for pid, parent, _ in _processes() if parent == server_pid]


def postgres_pids() -> list[int]:
    return [pid for pid, _, name in _processes() if name == "postgres"]


def run(clients: int, requests: int, workers: int) -> None:
    ids = prepare_user()
    from procurement.inventory.models import System

    print(
        f"{System.objects.count():,} systems; gunicorn, {workers} workers; {clients} clients; {requests} "
        f" requests a page; load average {os.getloadavg()}"
    )
    server = start_gunicorn(workers)
    try:
        openers = [Client().sign_in() for _ in range(clients)]
        # Baseline: the sign-in page, as anonymous clients see it (no agency data read).
        _, baseline_p95, *_ = measure([Client() for _ in range(clients)], "/accounts/login/", requests, server.pid)
        header = f"{'page':30} {'p50 ms':>8} {'p95 ms':>8} {'p95 / baseline':>15}"
        print(f"{header} {'CPU ms: workers':>16} {'PostgreSQL':>11}")
        print(f"{'sign-in page (baseline)':30} {'':8} {baseline_p95:8.1f} {1:15.2f}")
        for name, path in PAGES.items():
            p50, p95, workers_cpu, database_cpu = measure(openers, path.format(**ids), requests, server.pid)
            print(
                f"{name:30} {p50:8.1f} {p95:8.1f} {p95 / baseline_p95:15.2f} {workers_cpu:16.1f} {database_cpu:11.1f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"load average {os.getloadavg()} at the end")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200)  # a p95 from 200 is steadier than from 100
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=PORT)
    arguments = parser.parse_args()
    PORT = arguments.port
    run(arguments.clients, arguments.requests, arguments.workers)
