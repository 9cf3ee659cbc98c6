# One image, built once, for every service of docker-compose.yml (init, code server, webserver, daemon) and for the
# Helm chart's code location (deploy/helm/values.yaml). Installed from requirements.lock only: pip --no-deps, so
# nothing is resolved at build time and the image holds exactly the versions the tests ran with.
#
# torch: the lock pins the CPU build (torch==<version>+cpu), installed from PyTorch's CPU index. For NVIDIA GPUs
# build the CUDA variant of the same version:  docker compose build --build-arg TORCH_VARIANT=cu128
# (cu126, cu128, ...: a directory of https://download.pytorch.org/whl/). That torch brings the nvidia-* runtime
# libraries its own metadata pins exactly; the host needs only the NVIDIA driver and container toolkit.
FROM python:3.11-slim-bookworm

ARG TORCH_VARIANT=cpu
ARG TORCH_INDEX=https://download.pytorch.org/whl

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# Dependencies first (a layer that changes only with the lock), torch on its own index.
COPY requirements.lock /tmp/build/requirements.lock
RUN set -eux; \
    cd /tmp/build; \
    torch_pin="$(grep -E '^torch==' requirements.lock)"; \
    grep -vE '^torch==' requirements.lock > requirements.no-torch.lock; \
    pip install --no-deps -r requirements.no-torch.lock; \
    if [ "$TORCH_VARIANT" = "cpu" ]; then \
        pip install --no-deps --index-url "$TORCH_INDEX/cpu" "$torch_pin"; \
    else \
        pip install --index-url "$TORCH_INDEX/$TORCH_VARIANT" "${torch_pin%+cpu}+$TORCH_VARIANT"; \
    fi

# The package (sql/ and data/ ship inside it), then no source tree is left behind: the code runs from site-packages.
COPY pyproject.toml setup.py README.md dagster.yaml workspace.yaml /tmp/build/
COPY revops_assets /tmp/build/revops_assets
COPY sql /tmp/build/sql
COPY data /tmp/build/data
RUN set -eux; \
    pip install --no-deps --no-build-isolation /tmp/build; \
    pip check; \
    rm -rf /tmp/build

# Runs as an unprivileged user. The Dagster instance (docker/dagster.yaml: storage in Postgres, compute logs on the
# shared volume) and the compose workspace (the code server over gRPC) live in DAGSTER_HOME.
COPY docker/dagster.yaml docker/workspace.yaml /opt/dagster/home/
RUN set -eux; \
    useradd --system --uid 10001 --user-group --home-dir /opt/revops --create-home revops; \
    mkdir -p /opt/dagster/compute_logs /opt/revops/state /models; \
    chown -R revops:revops /opt/dagster /opt/revops
USER revops
WORKDIR /opt/revops
ENV DAGSTER_HOME=/opt/dagster/home \
    REVOPS_HOME=/opt/revops/state \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

EXPOSE 3000 4000
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000", "-m", "revops_assets.definitions"]
