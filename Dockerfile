# Image for the compose deployment: the code location, webserver and daemon share it. Installs from the lock only.
FROM python:3.11-slim
WORKDIR /opt/revops
COPY requirements.lock ./
# CPU torch from PyTorch's CPU index; for CUDA see README (install the CUDA torch wheel instead).
RUN pip install --no-cache-dir --no-deps --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.lock
COPY pyproject.toml setup.py README.md dagster.yaml workspace.yaml ./
COPY revops_assets ./revops_assets
COPY sql ./sql
COPY data ./data
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
 && mkdir -p /opt/dagster/home && cp dagster.yaml /opt/dagster/home/dagster.yaml
ENV DAGSTER_HOME=/opt/dagster/home HF_HUB_OFFLINE=1
