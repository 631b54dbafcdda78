# The action's container. GitHub builds it from this file on each run (runs.image: Dockerfile);
# it runs as root in the mounted workspace, so no USER and no reliance on WORKDIR.
FROM python:3.13.9-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY requirements.txt /app/requirements.txt
RUN python -m pip install --no-cache-dir --require-hashes --no-deps --only-binary=:all: -r /app/requirements.txt

COPY entrypoint.py /app/entrypoint.py
COPY gate /app/gate

# Absolute interpreter path: the runner's PATH is not to be trusted.
ENTRYPOINT ["/usr/local/bin/python", "/app/entrypoint.py"]
