# Image for the compose deployment: the code location, webserver and daemon share it.
FROM python:3.11-slim
WORKDIR /opt/revops
COPY pyproject.toml constraints.txt README.md ./
COPY revops_assets ./revops_assets
COPY sql ./sql
COPY data ./data
COPY dagster.yaml workspace.yaml ./
RUN pip install --no-cache-dir -c constraints.txt -e . \
 && mkdir -p /opt/dagster/home && cp dagster.yaml /opt/dagster/home/dagster.yaml
ENV DAGSTER_HOME=/opt/dagster/home HF_HUB_OFFLINE=1
