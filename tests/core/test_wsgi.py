"""The WSGI application as gunicorn's workers run it: in a process of its own."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Two requests to the application in a fresh process; prints, after each, how many times the
# collector was told to freeze and how many objects it had set aside.
TWO_REQUESTS = """
import gc
from wsgiref.util import setup_testing_defaults

freezes = []
freeze = gc.freeze
gc.freeze = lambda: freezes.append(1) or freeze()

from procurement.wsgi import application

def get(path):
    environ = {"PATH_INFO": path}
    setup_testing_defaults(environ)
    answers = []
    response = application(environ, lambda status, headers: answers.append(status))
    body = b"".join(response)
    response.close()  # as a WSGI server does once the answer is sent: Django's request_finished
    assert answers == ["200 OK"] and body, answers

print(len(freezes), gc.get_freeze_count())
get("/accounts/login/")
print(len(freezes), gc.get_freeze_count())
get("/accounts/login/")
print(len(freezes), gc.get_freeze_count())
"""


def test_a_worker_freezes_what_its_first_request_loaded_once():
    # Debug settings: production's static files storage needs `collectstatic` run first.
    environment = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"}
    finished = subprocess.run(
        [sys.executable, "-c", TWO_REQUESTS], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    (calls_at_start, frozen_at_start), (calls, frozen), (calls_after_second, _) = [
        tuple(map(int, line.split())) for line in finished.stdout.splitlines()[-3:]
    ]
    assert (calls_at_start, frozen_at_start) == (0, 0)
    assert calls == 1
    assert frozen > 50_000  # Django, the apps, the URL patterns, the sign-in page's templates
    assert calls_after_second == 1  # once a worker, not on every request
