"""Two circles: a ring around a disc, learned with binary cross-entropy on logits and Adam.

    python examples/circles.py [--out runs/examples/circles] [--epochs 100] [--resolution 150]

Writes decision_boundary.png and history.png into --out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, open no window

from minitorch_nn.data import load_dataset, train_test_split  # noqa: E402
from minitorch_nn.nn import MLP  # noqa: E402
from minitorch_nn.plot import plot_decision_boundary, plot_history, save_figure  # noqa: E402
from minitorch_nn.train import EarlyStopping, fit, predict_proba  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/examples/circles"))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--resolution", type=int, default=150)
    args = parser.parse_args(argv)

    X, y = load_dataset("circles", n_samples=200, noise=0.1, seed=0)  # (200, 2), (200,)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, seed=0)

    model = MLP(2, [16, 16, 1], activation="tanh", seed=0)  # one logit per sample
    stopper = EarlyStopping(monitor="val_loss", patience=15, restore_best_weights=True)
    history = fit(
        model,
        X_train,
        y_train,
        loss="bce",  # binary cross-entropy on the logit: P(class 1) = sigmoid(score)
        optimizer="adam",
        lr=0.05,
        epochs=args.epochs,
        X_val=X_val,
        y_val=y_val,
        callbacks=[stopper],
    )
    # restore_best_weights: the model is the one of the best epoch, so report that epoch
    kept = history.epochs[stopper.best_epoch - 1] if stopper.best_epoch else history.last
    print(
        f"circles: {len(history)} epochs, kept epoch {kept['epoch']}: loss {kept['loss']:.4g}, "
        f"accuracy {kept['accuracy']:.1%} train, {kept['val_accuracy']:.1%} validation"
    )
    print("P(class 1) at the centre and far out:", predict_proba(model, [[0, 0], [1.2, 0]])[:, 1])

    args.out.mkdir(parents=True, exist_ok=True)
    ax = plot_decision_boundary(
        model, X_train, y_train, resolution=args.resolution, X_val=X_val, y_val=y_val
    )
    print("wrote", save_figure(ax, args.out / "decision_boundary.png", close=True))
    print("wrote", save_figure(plot_history(history)[0], args.out / "history.png", close=True))


if __name__ == "__main__":
    main()
