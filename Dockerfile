# syntax=docker/dockerfile:1
# One image for every Phaseout process: web (gunicorn), Celery worker and beat.
# Build: docker build -t phaseout .      Run the whole stack: docker compose up --build

# --- Front-end packages (USWDS, htmx) come from npm and are served as shipped. ---
FROM node:20-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- The application. ---
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_NO_CACHE=1 \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint renders the PDF reports through Pango and needs at least one font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 phaseout
WORKDIR /app

# Python packages come from uv.lock, exactly as `make install` has them, without the dev
# extra, into /opt/venv (first on PATH, so python, gunicorn and celery are the venv's).
# Keep UV_VERSION equal to the Makefile's.
ARG UV_VERSION=0.13.9
RUN pip install uv==${UV_VERSION}

# Only what the app needs: never .venv, node_modules or var/ (secret key, SQLite) from
# the build context. README.md* is optional (pyproject names it; the build only warns).
# The locked dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml uv.lock README.md* ./
RUN uv sync --locked --no-install-project
COPY procurement ./procurement
COPY planner ./planner
# Editable, so gunicorn, celery and manage.py all import /app/procurement, whose
# BASE_DIR is where templates/ and node_modules/ are.
RUN uv sync --locked

COPY manage.py ./
COPY templates ./templates
COPY static ./static
COPY --from=frontend /app/node_modules ./node_modules

# Static files go to var/static (STATIC_ROOT) inside the image, so a rebuild always
# ships matching files. Settings need a secret key when DEBUG is off; this one exists
# only for this build step, and no key file is written, so none is baked in.
# The engine's compiled kernels (numba) are cached under var/, which the phaseout user may
# write; /app/planner is not writable at run time. They are compiled here, once, so that no
# container compiles them inside a plan's time limit.
ENV PHASEOUT_VAR_DIR=/app/var \
    NUMBA_CACHE_DIR=/app/var/numba-cache
# var/exports exists in the image, owned by phaseout, so the compose volume mounted there
# (shared by web and worker: the worker writes large exports, web sends them) starts
# writable.
RUN DJANGO_DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && python -m planner.engine.kernels \
    && mkdir -p /app/var/exports \
    && chown -R phaseout:phaseout /app/var
USER phaseout

EXPOSE 8000
CMD ["gunicorn", "procurement.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
