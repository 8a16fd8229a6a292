# The grading image: Python, the project and its grading libraries, nothing else.
#
# Workers of the `docker` backend run in it (one fresh container per worker, no
# network, read-only root, unprivileged). Graders, solutions and submissions are
# never copied in: the judge stays on the host, and each submission is mounted
# read-only into its own container.
#
#   docker build -t foundations-challenges:cpu .
#   docker build -t foundations-challenges:cpu --build-arg BASE=my-local-debian .
#   docker build -t foundations-challenges:tf --build-arg EXTRAS=tensorflow .
#   docker build -t foundations-challenges:cuda --build-arg TORCH=cuda .
#
# `challenge image build` wraps this and reports the size.
#
# Build arguments:
#   BASE           any Debian-like image; Python 3.11+ is installed with apt when
#                  the base has none (a bare debootstrap image works offline from
#                  the registry: only the package index is needed).
#   TORCH          cpu (default): the CPU wheel, from a wheel in wheels/ when one
#                  is there, else from TORCH_INDEX_URL; cuda: PyPI's default
#                  torch wheel, which bundles CUDA (run with --gpu on a host with
#                  the NVIDIA Container Toolkit).
#   EXTRAS         the project's optional dependencies, e.g. "tensorflow".
#   CA_BUNDLE      ca-bundle.crt (placed in the build context) for pip, when the
#                  package index is reached through a proxy with its own CA. Used
#                  in the build stage only; it never reaches the final image.

ARG BASE=python:3.11-slim

FROM ${BASE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
RUN set -eu; \
    if ! command -v python3 >/dev/null 2>&1 \
       || ! python3 -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 11)' \
            >/dev/null 2>&1; then \
        apt-get update; \
        apt-get install -y --no-install-recommends python3 python3-venv ca-certificates; \
        rm -rf /var/lib/apt/lists/*; \
    fi; \
    python3 --version

# pip compiles bytecode as it installs; it must stay: the worker's root is
# read-only, and without it every `import torch` would compile torch again (~10 s).
FROM runtime AS build
ARG TORCH=cpu
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG EXTRAS=""
ARG CA_BUNDLE=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_DEFAULT_TIMEOUT=180
# The bracket globs match nothing when there is no wheels/ or ca-bundle.crt.
COPY pyproject.toml ca-bundle.cr[t] /src/
COPY pyproject.toml wheel[s] /src/wheels/
# The dependencies first, against a placeholder package, so that a change to
# runner/ rebuilds only the small layer after this one.
RUN set -eu; \
    if [ -n "$CA_BUNDLE" ]; then export PIP_CERT="/src/$CA_BUNDLE"; fi; \
    python3 -m venv /opt/venv; \
    pip=/opt/venv/bin/pip; \
    $pip install --upgrade pip; \
    if [ "$TORCH" = cuda ]; then \
        $pip install torch; \
    elif ls /src/wheels/torch-*.whl >/dev/null 2>&1; then \
        $pip install /src/wheels/torch-*.whl; \
    else \
        $pip install --index-url "$TORCH_INDEX_URL" torch; \
    fi; \
    touch /src/README.md; \
    python3 -c 'import tomllib; t = tomllib.load(open("/src/pyproject.toml", "rb")); \
print("\n".join(t.get("tool", {}).get("setuptools", {}).get("packages", [])))' \
    | while read -r pkg; do \
        mkdir -p "/src/$(echo "$pkg" | tr . /)"; touch "/src/$(echo "$pkg" | tr . /)/__init__.py"; \
    done; \
    target=/src; \
    if [ -n "$EXTRAS" ]; then target="/src[$EXTRAS]"; fi; \
    $pip install --find-links /src/wheels "$target"; \
    /opt/venv/bin/python -c "import torch, numpy, scipy, sklearn; print('torch', torch.__version__)"
COPY README.md /src/
COPY runner /src/runner
RUN set -eu; \
    if [ -n "$CA_BUNDLE" ]; then export PIP_CERT="/src/$CA_BUNDLE"; fi; \
    /opt/venv/bin/pip install --no-deps --force-reinstall --no-compile /src; \
    /opt/venv/bin/python -m compileall -q /opt/venv/lib/python3*/site-packages/runner; \
    /opt/venv/bin/pip uninstall -y pip

FROM runtime
COPY --from=build /opt/venv /opt/venv
RUN set -eu; \
    (getent group grader >/dev/null || groupadd --system --gid 10001 grader); \
    (getent passwd grader >/dev/null \
     || useradd --system --uid 10001 --gid 10001 --home-dir /work --no-create-home \
                --shell /usr/sbin/nologin grader); \
    mkdir -p /work /submission /rt /wire; \
    chmod 1777 /work
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/work \
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    MPLBACKEND=Agg TF_CPP_MIN_LOG_LEVEL=3 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
LABEL org.opencontainers.image.title="foundations-challenges grading worker" \
      org.opencontainers.image.description="Python, the project and its grading libraries; no graders, solutions or secrets"
USER 10001:10001
WORKDIR /work
CMD ["python", "-c", "import runner.worker; print('the grading image: the judge starts workers in it')"]
