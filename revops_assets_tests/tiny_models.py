"""A tiny BGE-M3-shaped model for tests, built locally in a second (no weights can be downloaded here).

2 layers, hidden 32, a ~300-piece sentencepiece vocab trained on `TINY_CORPUS`, plus the colbert/sparse heads:
enough for the real `FlagEmbedding.BGEM3FlagModel` to load it and return dense vectors and lexical weights.
The builder itself lives in `revops_assets.bench.random_model`, which the benchmark uses at full size.
"""

from __future__ import annotations

from pathlib import Path

from revops_assets.bench.random_model import TINY, build_bge_m3_like_model, train_sentencepiece_vocab

# Opportunity-like sentences: enough variety for a few hundred sentencepiece pieces.
TINY_CORPUS: tuple[str, ...] = (
    "Acme Logistics wants to migrate SAP workloads to AWS before the data centre lease ends.",
    "SAP migration to Amazon Web Services for a retail group with stores in three countries.",
    "Northwind Foods plans a data lake on Amazon S3 with Glue, Athena and Redshift dashboards.",
    "Contoso Health needs a HIPAA compliant landing zone, Control Tower and centralised logging.",
    "Globex Manufacturing modernises its ERP, moving Oracle databases to Aurora PostgreSQL.",
    "Initech Bank evaluates generative AI on Bedrock for customer service summarisation.",
    "Umbrella Pharma runs genomics pipelines on AWS Batch and needs cost optimisation.",
    "Stark Energy streams sensor data with Kinesis and stores time series in Timestream.",
    "Wayne Media transcodes video with MediaConvert and serves it through CloudFront.",
    "Hooli Software refactors a monolith into containers on EKS with a GitOps pipeline.",
    "Tyrell Robotics trains computer vision models on SageMaker with spot instances.",
    "Cyberdyne Security wants GuardDuty, Security Hub and a managed detection service.",
    "Soylent Catering opens a bakery; opening hours are Monday to Saturday, eight to six.",
    "The customer asked for a proof of concept, a migration readiness assessment and a business case.",
    "Windows and SQL Server licences are included; the partner proposes a MAP funded migration.",
    "Expected monthly recurring revenue is five thousand dollars after the first quarter.",
    "Renewal of the managed services contract with backup, patching and monitoring on EC2.",
    "Disaster recovery with Elastic Disaster Recovery across two regions, RPO one hour.",
    "Virtual desktops on WorkSpaces for two hundred call centre agents in Madrid and Lisbon.",
    "Serverless order processing with Lambda, Step Functions, DynamoDB and EventBridge.",
)


def tiny_vocab() -> list[tuple[str, float]]:
    """XLM-R style `(piece, score)` vocab trained on `TINY_CORPUS`."""
    return train_sentencepiece_vocab(TINY_CORPUS, vocab_size=400)


def build_tiny_bge_m3(model_dir: str | Path, seed: int = 0) -> Path:
    """Write the tiny test model into `model_dir` (created if needed) and return it."""
    return build_bge_m3_like_model(model_dir, tiny_vocab(), seed=seed, **TINY)
