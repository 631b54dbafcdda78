# The action's image. A release pushes it to GHCR and its action.yml names it by digest, so users
# pull it ready-made; on main, action.yml says `image: Dockerfile` and GitHub builds this file.
# GitHub runs it as root in the mounted workspace (--workdir /github/workspace): no USER, no WORKDIR.
#
# Python 3.11, the version the lockfiles are resolved for and CI tests on. The base is pinned by
# digest (a multi-arch index); Dependabot's docker ecosystem proposes updates. BASE_IMAGE lets
# scripts/container-test build on a stand-in where this one cannot be pulled.
ARG BASE_IMAGE=python:3.11-slim-trixie@sha256:9534e5a8e315485d4061ed659af0fd78a284c015f9b73661b41d6bab25604534
FROM ${BASE_IMAGE}

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only wheels, each checked against the lockfile's hashes; pip compiles their bytecode as it installs.
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir --require-hashes --no-deps --only-binary=:all: -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY entrypoint.py /app/entrypoint.py
COPY gate /app/gate
# Compile our own modules now, so no run compiles anything: unchecked-hash bytecode is used as it
# is, without a stat of the source. /app goes on sys.path through a .pth file because the
# entrypoint runs in isolated mode (-I), which ignores PYTHON* variables and never puts the
# working directory (the user's workspace, possibly a pull request's files) on sys.path.
RUN python -m compileall -q --invalidation-mode unchecked-hash /app \
    && python -c 'import site, sys; print("/app", file=open(site.getsitepackages()[0] + "/aikido-gate.pth", "w"))'

# Absolute interpreter path (the runner's PATH is not ours); -m runs entrypoint from its bytecode;
# -u and -B stand in for PYTHONUNBUFFERED and PYTHONDONTWRITEBYTECODE, which -I ignores.
ENTRYPOINT ["/usr/local/bin/python", "-I", "-u", "-B", "-m", "entrypoint"]
