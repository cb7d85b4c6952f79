FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint needs Pango; `manage.py sauvegarder` / `restaurer` need pg_dump / pg_restore 15
# (the version of the db service).
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cpro ./cpro
COPY referentiels ./referentiels
RUN pip install --no-cache-dir .
COPY . .
# Production settings (DEBUG off) so that the manifest (staticfiles.json) is written.
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --system --home /app cpro && mkdir -p /data/media /data/sauvegardes \
    && chown cpro /data/media /data/sauvegardes
USER cpro
EXPOSE 8000
CMD ["gunicorn", "cpro.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
