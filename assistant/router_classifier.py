"""The router's second step: a small local classifier over character n-grams.

``features`` turns a request into binary features; ``LinearModel`` scores each skill as
a bias plus the sum of its known features' weights (this is all the hotkey path runs,
from the catalog's disk cache). ``train`` fits the weights from the installed skills'
examples: a multinomial logistic regression over the features and the rules' signals,
with numpy, run only when the catalog is rebuilt.
"""

from __future__ import annotations

import math
import re
import zlib
from array import array

TYPE_CHECKING = False  # the hotkey path never imports typing
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# Non-ASCII runs stand for CJK text (a class of CJK ranges would cost ~10 ms to compile
# at every start); CJK punctuation is blanked first so that it makes no n-grams.
_TOKEN_RE = re.compile(r"[^\x00-\x7f]+|[a-z][a-z0-9_']*|\d+(?:\.\d+)?")
_CJK_PUNCTUATION = str.maketrans(dict.fromkeys("。、，！？：；“”‘’「」『』《》【】…—·～（）", " "))
_MARKER_RE = re.compile(r"〈([a-z_][a-z0-9_]*)〉")


def _marker_char(match: re.Match[str]) -> str:
    # one private-use character per marker, stable across processes and installs
    return chr(0xE000 + zlib.crc32(match.group(1).encode()) % 0x1800)


def features(marked: str, rule_signals: Iterable[str] = ()) -> set[str]:
    """Binary features of normalized, marked text (``RuleSet.mark``).

    A run of CJK characters gives its character 1-, 2- and 3-grams; a Latin word gives
    ``w:word``, ``b:previous word`` for adjacent words and ``t:`` character 3-grams
    with word boundaries; a number gives ``<num>``. A marker (``〈lang〉``) is one
    character in CJK n-grams and one word among Latin words. ``^`` and ``$`` features
    are the first and last tokens (questions end in 吗, commands start with a verb).
    ``rule_signals`` are added as ``r:skill:group`` features.
    """
    text = _MARKER_RE.sub(_marker_char, marked).translate(_CJK_PUNCTUATION)
    feats: set[str] = set()
    add = feats.add
    update = feats.update
    previous = ""
    first = last = ""
    for token in _TOKEN_RE.findall(text):
        head = token[0]
        if "0" <= head <= "9":
            add("<num>")
            previous = ""
            last = "<num>"
        elif "a" <= head <= "z" or (len(token) == 1 and "\ue000" <= head <= "\uf7ff"):
            add("w:" + token)
            if previous:
                add("b:" + previous + " " + token)
            previous = token
            if head <= "z":
                padded = " " + token + " "
                update(["t:" + padded[i : i + 3] for i in range(len(padded) - 2)])
            last = "w:" + token
        else:
            previous = ""
            update(token)
            update([token[i : i + 2] for i in range(len(token) - 1)])
            update([token[i : i + 3] for i in range(len(token) - 2)])
            last = token[-2:]
            if not first:
                first = token[:2]
        if not first:
            first = last
    if first:
        add("^" + first)
    if last:
        add("$" + last)
    update(["r:" + signal for signal in rule_signals])
    return feats


class LinearModel:
    """Per-skill scores: ``bias[c] + sum(weights[f][c] for known features f)``.

    The weights are one flat float32 array, row ``index[f]`` per feature: loading that
    from the cache is a few milliseconds where a dict of tuples takes several times more.
    """

    def __init__(
        self, classes: Sequence[str], bias: Sequence[float], index: dict[str, int], weights: array
    ) -> None:
        self.classes = tuple(classes)
        self.bias = tuple(bias)
        self.index = index
        self.weights = weights

    def scores(self, feats: Iterable[str]) -> list[float]:
        totals = list(self.bias)
        k = len(totals)
        index = self.index
        weights = self.weights
        for feature in feats:
            row = index.get(feature)
            if row is not None:
                base = row * k
                for i in range(k):
                    totals[i] += weights[base + i]
        return totals

    def to_state(self) -> tuple:
        # feature names as a list, in row order: a dict rebuilt from it loads faster
        return (self.classes, self.bias, list(self.index), self.weights.tobytes())

    @classmethod
    def from_state(cls, state: tuple) -> LinearModel:
        classes, bias, names, raw = state
        index = {name: row for row, name in enumerate(names)}
        weights = array("f")
        weights.frombytes(raw)
        if len(weights) != len(index) * len(classes):
            raise ValueError("the weights do not match the features")
        return cls(classes, bias, index, weights)


def softmax(scores: Sequence[float], temperature: float = 1.0) -> list[float]:
    top = max(scores)
    exps = [math.exp((s - top) / temperature) for s in scores]
    z = sum(exps)
    return [e / z for e in exps]


def train(
    samples: Sequence[tuple[set[str], str]],
    classes: Sequence[str],
    *,
    l2: float = 1e-3,
    steps: int = 150,
    min_count: int = 1,
) -> LinearModel:
    """Multinomial logistic regression over binary features, full-batch Adam with numpy.

    ``samples`` are ``(features, label)``; every label must be in ``classes``. Features
    seen in fewer than ``min_count`` samples are dropped. Classes are weighted so that
    each counts as much in total (a skill with few examples is not drowned by chat).
    """
    import numpy as np

    classes = tuple(classes)
    index_of = {c: i for i, c in enumerate(classes)}
    counts: dict[str, int] = {}
    for feats, _ in samples:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    vocab = sorted(f for f, n in counts.items() if n >= min_count)
    column = {f: j for j, f in enumerate(vocab)}
    rows: list[int] = []
    cols: list[int] = []
    labels = np.zeros(len(samples), dtype=np.int64)
    for i, (feats, label) in enumerate(samples):
        labels[i] = index_of[label]
        for f in feats:
            j = column.get(f)
            if j is not None:
                rows.append(i)
                cols.append(j)
    n, d, k = len(samples), len(vocab), len(classes)
    r = np.asarray(rows, dtype=np.int64)
    c = np.asarray(cols, dtype=np.int64)
    # X @ W and X.T @ G as segment sums (np.add.at is ~50x slower): entries in row
    # order for the first, in column order for the second
    row_starts = np.searchsorted(r, np.arange(n))
    by_col = np.argsort(c, kind="stable")
    c_sorted, r_by_col = c[by_col], r[by_col]
    col_ids, col_starts = np.unique(c_sorted, return_index=True)
    has_row = np.diff(np.append(row_starts, len(r))) > 0
    y = np.zeros((n, k))
    y[np.arange(n), labels] = 1.0
    per_class = y.sum(axis=0)
    sample_weight = (n / (k * np.maximum(per_class, 1.0)))[labels] / n
    w = np.zeros((d, k))
    b = np.zeros(k)
    mw, vw = np.zeros_like(w), np.zeros_like(w)
    mb, vb = np.zeros_like(b), np.zeros_like(b)
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        logits = np.zeros((n, k))
        if len(r):
            sums = np.add.reduceat(w[c], row_starts[has_row], axis=0)
            logits[has_row] = sums
        logits += b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * sample_weight[:, None]
        gw = l2 * w
        if len(r):
            gw[col_ids] += np.add.reduceat(g[r_by_col], col_starts, axis=0)
        gb = g.sum(axis=0)
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        scale = lr * math.sqrt(1 - beta2**step) / (1 - beta1**step)
        w -= scale * mw / (np.sqrt(vw) + eps)
        b -= scale * mb / (np.sqrt(vb) + eps)
    keep = np.abs(w).max(axis=1) >= 1e-3
    index: dict[str, int] = {}
    for f, j in column.items():
        if keep[j]:
            index[f] = len(index)
    flat = array("f", w[keep].astype(np.float32).ravel().tobytes())
    return LinearModel(classes, tuple(float(x) for x in b), index, flat)
