"""Generation metrics in plain Python: ROUGE-1/2/L (F1, averaged over records) and corpus
BLEU-4 (Papineni et al.: clipped n-gram precisions, geometric mean, brevity penalty).

Text is lower-cased and split into words and punctuation; CJK characters count as one token
each, since those scripts do not separate words with spaces.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def f1(overlap: int, predicted: int, reference: int) -> float:
    if overlap == 0 or predicted == 0 or reference == 0:
        return 0.0
    p, r = overlap / predicted, overlap / reference
    return 2 * p * r / (p + r)


def rouge_n(pred: list[str], ref: list[str], n: int) -> float:
    p, r = ngrams(pred, n), ngrams(ref, n)
    return f1(sum((p & r).values()), sum(p.values()), sum(r.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev_diag = 0
        for j, y in enumerate(b, 1):
            prev_diag, row[j] = row[j], prev_diag + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def rouge_l(pred: list[str], ref: list[str]) -> float:
    return f1(lcs_length(pred, ref), len(pred), len(ref))


def corpus_bleu(preds: list[list[str]], refs: list[list[str]], max_n: int = 4) -> float:
    matches, totals = [0] * max_n, [0] * max_n
    pred_len = sum(len(p) for p in preds)
    ref_len = sum(len(r) for r in refs)
    for p, r in zip(preds, refs):
        for n in range(1, max_n + 1):
            pn, rn = ngrams(p, n), ngrams(r, n)
            matches[n - 1] += sum((pn & rn).values())
            totals[n - 1] += sum(pn.values())
    if pred_len == 0 or min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals)) / max_n
    brevity = 1.0 if pred_len > ref_len else math.exp(1 - ref_len / pred_len)
    return brevity * math.exp(log_precision)


def score(predictions: list[str], references: list[str]) -> dict:
    preds = [tokenize(p) for p in predictions]
    refs = [tokenize(r) for r in references]
    n = max(len(preds), 1)
    return {
        "rouge1": sum(rouge_n(p, r, 1) for p, r in zip(preds, refs)) / n,
        "rouge2": sum(rouge_n(p, r, 2) for p, r in zip(preds, refs)) / n,
        "rougeL": sum(rouge_l(p, r) for p, r in zip(preds, refs)) / n,
        "bleu4": corpus_bleu(preds, refs),
    }
