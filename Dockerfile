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
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders the PDF reports through Pango and needs at least one font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 phaseout
WORKDIR /app

# Only what the app needs: never .venv, node_modules or var/ (secret key, SQLite) from
# the build context. README.md* is optional (pyproject names it; the build only warns).
COPY pyproject.toml README.md* ./
COPY procurement ./procurement
COPY planner ./planner
# Editable, so gunicorn, celery and manage.py all import /app/procurement, whose
# BASE_DIR is where templates/ and node_modules/ are.
RUN pip install -e .

COPY manage.py ./
COPY templates ./templates
COPY static ./static
COPY --from=frontend /app/node_modules ./node_modules

# Static files go to var/static (STATIC_ROOT) inside the image, so a rebuild always
# ships matching files. Settings need a secret key when DEBUG is off; this one exists
# only for this build step, and no key file is written, so none is baked in.
ENV PHASEOUT_VAR_DIR=/app/var
RUN DJANGO_DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && chown -R phaseout:phaseout /app/var
USER phaseout

EXPOSE 8000
CMD ["gunicorn", "procurement.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
