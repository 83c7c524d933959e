"""Phaseout settings: one module, every deployment value read from the environment.

See the README's configuration table for the variables. Defaults give the embedded
setup (SQLite under var/, no Redis) used by `make run`.
"""

import secrets
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from procurement.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PHASEOUT_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", True)


def _debug_secret_key() -> str:
    """A key generated once and kept under var/, so debug sessions survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Environment variable SECRET_KEY is required when DJANGO_DEBUG=0.")
    SECRET_KEY = _debug_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "csp",
    "procurement.core",
    "procurement.inventory",
    "procurement.discovery",
    "planner",
    "procurement.compliance",
    "procurement.reminders",
    "procurement.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files answered here: no no-store, no CSP
    "csp.middleware.CSPMiddleware",
    # Turns a lock wait that outlasted SQLITE_BUSY_TIMEOUT_SECONDS into a 503 busy page,
    # from views and from the middleware below (the session one when it saves the session).
    "procurement.core.middleware.DatabaseBusyMiddleware",
    "procurement.core.middleware.BusyAwareSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "procurement.core.middleware.NoStoreMiddleware",
    "procurement.core.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lockout into its page
]

ROOT_URLCONF = "procurement.urls"
WSGI_APPLICATION = "procurement.wsgi.application"
AUTH_USER_MODEL = "inventory.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inventory:home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'phaseout.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one connection writes. IMMEDIATE takes the write lock
    # when a transaction begins, so a writer queues there, for up to the busy timeout
    # (sqlite3's own busy handler, "timeout"), instead of failing at once half-way through
    # when its read lock cannot be upgraded. A wait that still runs out is a 503 page
    # (core.middleware.DatabaseBusyMiddleware). tests/core/test_security.py reads the
    # PRAGMAs back from a live connection.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20, minimum=1),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: 12 hours at most (cookie age), 30 minutes idle (SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_MAX_AGE_SECONDS", 12 * 60 * 60, minimum=60)
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Sign-in throttling with django-axes (procurement/core/lockout.py, README "Security"): a
# username from one address gets LOGIN_FAILURE_LIMIT failures, an address for all usernames
# LOGIN_FAILURE_LIMIT_PER_ADDRESS; then every sign-in there, the right password included and
# the admin's too, answers 429 until LOGIN_COOLOFF_MINUTES after the latest failure.
# Attempts while locked are not counted, so they do not push the time back.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 50, minimum=1)
if LOGIN_FAILURE_LIMIT_PER_ADDRESS < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        f"Environment variable LOGIN_FAILURE_LIMIT_PER_ADDRESS={LOGIN_FAILURE_LIMIT_PER_ADDRESS} is invalid: "
        f"must be at least LOGIN_FAILURE_LIMIT ({AXES_FAILURE_LIMIT})"
    )
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # order used by SignInAttemptHandler
AXES_HANDLER = "procurement.core.lockout.SignInAttemptHandler"
AXES_LOCKOUT_CALLABLE = "procurement.core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "procurement.core.lockout.client_ip_address"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # a row per failure, kept after the cool-off ends
# Reverse proxies in front of Phaseout whose X-Forwarded-For entries are believed; 0 = use
# the connecting address. Behind one TLS proxy set 1, or every sign-in shares its address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Content-Security-Policy (django-csp): everything from this origin, no inline script or
# style (htmx's indicator styles live in phaseout.css, see base.html), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from npm (package.json) and are served as they ship.
STATICFILES_DIRS = [
    ("uswds", NODE_MODULES / "@uswds" / "uswds" / "dist"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    BASE_DIR / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email: the console backend in debug, SMTP otherwise, unless EMAIL_BACKEND says.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
# The file backend (`make run` chooses it) writes each message to a file here.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Phaseout <phaseout@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set; otherwise a broker kept in files under var/,
# so `make run` needs no Redis.
REDIS_URL = env_redis_url("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    # Redis hands a task unacknowledged this long to another worker: far longer than any task
    # (the longest, a digest batch, is killed at 300 s), so a slow task is never run twice.
    {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT_SECONDS", 7200, minimum=600)}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        # Exchange tables (broadcasts such as a revoke); kombu's default is ./control.
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Only the beat holding the database lease sends the schedule (procurement/reminders/beat.py).
CELERY_BEAT_SCHEDULER = "procurement.reminders.beat:LeasedScheduler"

# Planning (planner/, README "Planning"): a re-plan keeps previous dates where that costs at
# most this many percent more weighted tardiness than the best schedule found (0: only free).
PLANNER_REPLAN_TOLERANCE_PERCENT = env_int("PLANNER_REPLAN_TOLERANCE_PERCENT", 2, minimum=0)
# The queue plan runs go to; workers consuming it load the engine as they start (planner/tasks.py).
PLANNER_CELERY_QUEUE = env_str("PLANNER_CELERY_QUEUE") or "celery"
# A run's independent parts are packed into at most this many part tasks, each solved by
# the engine with this many CP-SAT workers (threads; match the worker machine's cores).
PLANNER_MAX_PART_TASKS = env_int("PLANNER_MAX_PART_TASKS", 8, minimum=1)
PLANNER_SOLVER_WORKERS = env_int("PLANNER_SOLVER_WORKERS", 2, minimum=1)

# Reminders (procurement/reminders, README "Reminders"; issue 10).
PHASEOUT_BASE_URL = env_str("PHASEOUT_BASE_URL", "http://127.0.0.1:8000")
REMINDER_SWEEP_SECONDS = env_int("REMINDER_SWEEP_SECONDS", 300, minimum=1)
# A digest claimed longer ago than this has lost its worker: it is "in doubt" and sent
# again with the same Message-ID. Longer than the send task's time limit (300 s).
REMINDER_SENDING_LEASE_SECONDS = env_int("REMINDER_SENDING_LEASE_SECONDS", 900, minimum=1)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5, minimum=1)
REMINDER_DIGESTS_PER_TASK = env_int("REMINDER_DIGESTS_PER_TASK", 50, minimum=1)
REMINDER_CELERY_QUEUE = env_str("REMINDER_CELERY_QUEUE") or "celery"
REMINDER_BEAT_LEASE_SECONDS = env_int("REMINDER_BEAT_LEASE_SECONDS", 60, minimum=3)
# End of reminders settings.

# Import limits (see README, "Bulk import").
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 5 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000, minimum=1)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 4_000, minimum=100)
IMPORT_MAX_UNZIPPED_BYTES = env_int("IMPORT_MAX_UNZIPPED_BYTES", 50 * 1024 * 1024, minimum=1024)

# Bulk import: parse budget, upload size and kept batches (README, "Bulk import"; issue 8).
# An upload is parsed once, in a child process limited to IMPORT_PARSE_CPU_SECONDS of CPU,
# IMPORT_PARSE_MEMORY_BYTES of memory beyond the web worker's, and IMPORT_PARSE_TIMEOUT_SECONDS
# of wall-clock time (below gunicorn's 30 s worker timeout). Unconfirmed batches are deleted
# after IMPORT_BATCH_TTL_SECONDS (hourly task, procurement/celery.py); a user keeps at most
# IMPORT_MAX_PENDING_BATCHES, and a new upload discards the oldest.
IMPORT_PARSE_CPU_SECONDS = env_int("IMPORT_PARSE_CPU_SECONDS", 5, minimum=1)
IMPORT_PARSE_MEMORY_BYTES = env_int("IMPORT_PARSE_MEMORY_BYTES", 512 * 1024 * 1024, minimum=64 * 1024 * 1024)
IMPORT_PARSE_TIMEOUT_SECONDS = env_int("IMPORT_PARSE_TIMEOUT_SECONDS", 10, minimum=1)
IMPORT_BATCH_TTL_SECONDS = env_int("IMPORT_BATCH_TTL_SECONDS", 24 * 60 * 60, minimum=60)
IMPORT_MAX_PENDING_BATCHES = env_int("IMPORT_MAX_PENDING_BATCHES", 5, minimum=1)
# Form fields other than files (Django's default, stated so it is not raised by accident);
# file bodies are bounded per view (procurement/core/uploads.py) and by the reverse proxy.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# End of bulk import settings.

# Exports (procurement/core/exports.py, README "Export"; issue 8). An XLSX of more than
# EXPORT_XLSX_IN_REQUEST_MAX_ROWS rows is written by a Celery worker, from the queue
# EXPORT_CELERY_QUEUE, into EXPORT_DIR; the web server sends the file from there, so both
# must see that folder. Jobs and their files are deleted after EXPORT_KEEP_HOURS (hourly
# task, procurement/celery.py).
EXPORT_XLSX_IN_REQUEST_MAX_ROWS = env_int("EXPORT_XLSX_IN_REQUEST_MAX_ROWS", 5_000, minimum=0)
EXPORT_DIR = Path(env_str("PHASEOUT_EXPORT_DIR", str(VAR_DIR / "exports")))
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24, minimum=1)
EXPORT_CELERY_QUEUE = env_str("EXPORT_CELERY_QUEUE") or "celery"
# The export tests run a real worker process, which must open the test database: with
# SQLite a file of its own per test run rather than Django's in-memory default.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{secrets.token_hex(6)}.sqlite3")}
# End of export settings.

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
