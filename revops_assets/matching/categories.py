"""What a deal is about, learned from the side that says it: the `category` role (ACE's use case picklist).

ACE files every registration under a use case ("Migration / Database Migration", "Storage & Backup", ...); an Odoo
deal says what it is about only in its title and description ("Teradata Exit", "Tape libraries are end of life").
A paraphrased title defeats string ratios and a small embedding, but the registrations themselves show which words
go with which use case. So a text classifier is trained on the records that carry a category (title + context text,
with the record's own category words taken out, since ACE's context text repeats its use case), and predicts a
distribution over the categories for every record without one. The comparison `category_agree` is then the
probability that both records are about the same category: 1 / 0 where both carry one, the predicted probability of
the other's category where one does, the product of both predictions where neither does.

Nothing is tuned to a data set: TF-IDF of words and word pairs, a multinomial logistic regression with the
library's default regularization. Too few labelled records (fewer than
`MIN_LABELLED`, or fewer than two categories with `MIN_PER_CATEGORY` each) give no comparison (NaN), never a guess.
"""

from __future__ import annotations

import re

import numpy as np

MIN_LABELLED = 100
MIN_PER_CATEGORY = 5
MAX_TRAIN = 20_000  # labelled records the classifier is fitted on (a seeded sample above that: minutes -> seconds)


def _strip_label(text: str, label: str | None) -> str:
    return re.sub(re.escape(label), " ", text, flags=re.IGNORECASE) if label else text


def category_distributions(texts: list[str], labels: list[str | None], seed: int = 0
                           ) -> tuple[np.ndarray, list[str]] | None:
    """Rows of P(category | record) for `texts` (one-hot where `labels` holds a known category), and the categories;
    None when the labelled records are too few to learn from."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    labelled = np.array([lab is not None and bool(t.strip()) for t, lab in zip(texts, labels)])
    if labelled.sum() < MIN_LABELLED:
        return None
    values, counts = np.unique(np.array([lab for lab, ok in zip(labels, labelled) if ok], dtype=object),
                               return_counts=True)
    kept = set(values[counts >= MIN_PER_CATEGORY])
    if len(kept) < 2:
        return None
    train = np.flatnonzero(labelled & np.array([lab in kept for lab in labels]))
    rng = np.random.default_rng(seed)
    if len(train) > MAX_TRAIN:
        train = np.sort(rng.choice(train, MAX_TRAIN, replace=False))
    docs = [_strip_label(t, lab) for t, lab in zip(texts, labels)]
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32)
    try:
        x = vec.fit_transform(docs)
    except ValueError:  # no word shared by two records
        return None
    y = np.array([labels[i] for i in train], dtype=object)
    # scikit-learn's default regularization (C = 1): choosing C by cross-validated log-loss took 20x the time
    # (30 s on 7,000 records) and moved auto F1 by less than 0.001 (docs/benchmarks.md)
    clf = LogisticRegression(max_iter=1000)
    clf.fit(x[train], y)
    classes = [str(c) for c in clf.classes_]
    proba = clf.predict_proba(x).astype(np.float32)
    # a record that says its category is that category; one outside the learned set stays predicted from its text
    index = {c: i for i, c in enumerate(classes)}
    for i, lab in enumerate(labels):
        if lab is not None and lab in index:
            proba[i] = 0.0
            proba[i, index[lab]] = 1.0
    empty = np.array([not d.strip() for d in texts])
    proba[empty & ~np.array([lab in index for lab in labels])] = np.nan  # no text, no category: cannot compare
    return proba, classes
