"""Benchmark of `mltt.forecasting`: the sequence dataset and the training throughput of `LSTMForecaster`.

1. Dataset: a (100,000 x 50) feature table -> windows of 60 rows (100,000 - 59 windows of 60 x 50), the scaler fitted
   on the first 80,000 rows only (`sequence_dataset`). Target: < 1 s. The windows are a view made by `Tensor.unfold`
   (no copy); a numpy reference (`sliding_window_view` after the same scaling) is timed beside it, and so is one
   gathered training batch of 256 windows, the copy that training actually makes.
2. Training throughput: `DirectionalClassifier` (an `LSTMForecaster`, 1 epoch, no validation) against a plain torch
   loop on the same model, the same scaled windows and the same batch size (Adam, BCE of the logits, gradient clipping,
   `loss.item()` each step, as such loops are usually written). Samples per second of the epochs only.
   Target: ratio >= 1 (mltt at least as fast).

Timings are the minimum of several repeats (the machine may be shared).

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python bench/forecasting.py [--threads 1] [--device cpu] [--n-train 20000] [--repeats 3]
"""
from __future__ import annotations
import argparse, time
import numpy as np
import torch
from torch import nn
from mltt.forecasting.models import sequence_dataset, ForecastConfig, DirectionalClassifier, LSTMForecaster, SequenceScaler


def best(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t0)
    return min(ts), out


def plain_loop(model, X, y, batch_size, lr, clip, seed):
    "The usual hand-written epoch: shuffle, gather, forward, BCE, backward, clip, step, loss.item()."
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator(device=X.device).manual_seed(seed)
    order = torch.randperm(len(y), generator=g, device=X.device)
    model.train(); tot = 0.0
    t0 = time.perf_counter()
    for s in range(0, len(y), batch_size):
        idx = order[s:s + batch_size]
        if len(idx) < 2: continue
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(X[idx]).reshape(-1), y[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step(); tot += loss.item() * len(idx)
    return len(y) / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--n-train', type=int, default=20_000)
    ap.add_argument('--repeats', type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)

    # 1. dataset
    T, F, L = 100_000, 50, 60
    feats = torch.randn(T, F, generator=torch.Generator().manual_seed(0))
    t_ds, (W, sc) = best(lambda: sequence_dataset(feats, L, train_rows=80_000), a.repeats + 2)
    assert W.shape == (T - L + 1, L, F)
    fn = feats.numpy()
    def numpy_ref():
        m, s = fn[:80_000].mean(0), fn[:80_000].std(0, ddof=1)
        return np.lib.stride_tricks.sliding_window_view(((fn - m) / s).astype(np.float32), L, axis=0)
    t_np, Wn = best(numpy_ref, a.repeats + 2)
    assert np.allclose(Wn[123].T, W[123].numpy(), atol=1e-5)
    idx = torch.randint(0, len(W), (256,), generator=torch.Generator().manual_seed(1))
    t_b, _ = best(lambda: W[idx].contiguous(), a.repeats + 2)
    print(f'dataset {T:,} x {L} x {F}: sequence_dataset {t_ds * 1e3:.1f} ms (target < 1000 ms: {"PASS" if t_ds < 1 else "FAIL"}); '
          f'numpy reference {t_np * 1e3:.1f} ms; one batch of 256 gathered {t_b * 1e3:.2f} ms')

    # 2. training throughput
    n, H, B = a.n_train, 64, 256
    X = W[:n]
    y = (torch.rand(n, generator=torch.Generator().manual_seed(2)) < 0.5).to(torch.float32)
    cfg = ForecastConfig(epochs=1, hidden_dim=H, num_layers=1, dropout=0.0, batch_size=B, valid_frac=0.0, learning_rate=1e-3,
                         clip=1.0, seed=0, device=a.device, dtype='float32')
    ours, plain = [], []
    Xs = SequenceScaler().fit(X).transform(X).to(dev, torch.float32)   # the same scaled windows DirectionalClassifier trains on
    ys = y.to(dev)
    for _ in range(a.repeats):
        clf = DirectionalClassifier(cfg).fit(X, y.numpy().astype(int))
        ours.append(clf.history_.samples_per_s)
        torch.manual_seed(0)
        m = LSTMForecaster(F, H, 1, 1, 0.0, 4).to(dev)
        plain.append(plain_loop(m, Xs, ys, B, 1e-3, 1.0, 0))
    r = max(ours) / max(plain)
    print(f'training LSTMForecaster (hidden {H}, windows {L} x {F}, batch {B}, {n:,} samples, {a.device}, {a.threads} thread(s)): '
          f'mltt {max(ours):,.0f} samples/s, plain torch loop {max(plain):,.0f} samples/s, ratio {r:.2f} (target >= 1: {"PASS" if r >= 1 else "FAIL"})')


if __name__ == '__main__':
    main()
