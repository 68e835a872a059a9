#!/usr/bin/env python3
"""Peer implementation of one vbqlab cell in numpy, vectorised, for bench/run.

Simulates `replicates` cohorts of `size` patients (67 of 256 events, as the seed paper),
events ~ N(3.62, 0.46) and non-events ~ N(2.97, 0.43), in batches of 2,000 cohorts: one
(batch x size) array of scores, sorted along each row (np.argsort), cumulative sums of the
sorted labels give sensitivity and specificity at every midpoint threshold, np.argmax picks
the Youden cutoff (the first maximum), and the AUC comes from the events' ranks
(Mann-Whitney). Scores are continuous, so ties have probability zero and are not handled.

    python3 bench/peer-youden.py [replicates] [size] [seed]

Prints `key value` lines: the cutoff's mean, SD and MCSE, the mean AUC, and the seconds of
the simulate-and-estimate loop (numpy's import excluded; bench/run times the whole process).
One thread: bench/run sets OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1 (the loop uses none).
"""
import sys
import time

import numpy as np

replicates = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
size = int(sys.argv[2]) if len(sys.argv) > 2 else 256
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20251012
events = int(np.floor(size * 67 / 256 + 0.5))
non_events = size - events
if replicates < 1 or events < 1 or non_events < 1:
    sys.exit("replicates must be positive and the size at least 4")

rng = np.random.default_rng(seed)
batch = 2000
labels = np.concatenate([np.ones(events), np.zeros(non_events)])
cutoffs = np.empty(replicates)
aucs = np.empty(replicates)
start = time.perf_counter()
done = 0
while done < replicates:
    b = min(batch, replicates - done)
    scores = np.concatenate([rng.normal(3.62, 0.46, (b, events)), rng.normal(2.97, 0.43, (b, non_events))], axis=1)
    order = np.argsort(scores, axis=1)
    s = np.take_along_axis(scores, order, axis=1)
    y = labels[order]
    # Threshold k lies between s[k] and s[k+1]: scores above it are test-positive.
    tp = events - np.cumsum(y, axis=1)[:, :-1]
    tn = np.cumsum(1 - y, axis=1)[:, :-1]
    j = tp / events + tn / non_events - 1
    k = np.argmax(j, axis=1)
    rows = np.arange(b)
    cutoffs[done:done + b] = (s[rows, k] + s[rows, k + 1]) / 2
    ranks = np.argsort(order, axis=1) + 1
    aucs[done:done + b] = (ranks[:, :events].sum(axis=1) - events * (events + 1) / 2) / (events * non_events)
    done += b
elapsed = time.perf_counter() - start
print(f"cutoff_mean {cutoffs.mean():.6f}")
print(f"cutoff_sd {cutoffs.std(ddof=1):.6f}")
print(f"cutoff_mcse {cutoffs.std(ddof=1) / np.sqrt(replicates):.6f}")
print(f"auc_mean {aucs.mean():.6f}")
print(f"elapsed_seconds {elapsed:.4f}")
