"""Three interleaved spirals (CS231n): a 3-way classifier with cross-entropy and Adam.

    python examples/spiral_multiclass.py [--out runs/examples/spiral] [--epochs 150]
        [--resolution 120]

Writes decision_boundary.png and history.png into --out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, open no window

from minitorch_nn.data import load_dataset  # noqa: E402
from minitorch_nn.nn import MLP  # noqa: E402
from minitorch_nn.optim.schedules import cosine  # noqa: E402
from minitorch_nn.plot import plot_decision_boundary, plot_history, save_figure  # noqa: E402
from minitorch_nn.train import fit, predict, predict_proba  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/examples/spiral"))
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--resolution", type=int, default=120)
    args = parser.parse_args(argv)

    X, y = load_dataset("spiral", n_samples=150, noise=0.1, seed=0)  # (150, 2), y in {0, 1, 2}
    n_classes = int(y.max()) + 1

    model = MLP(2, [16, 16, n_classes], activation="relu", seed=0)  # one score per class
    history = fit(
        model,
        X,
        y,
        loss="cross_entropy",  # softmax over the class scores
        optimizer="adam",
        lr_schedule=cosine(0.05, args.epochs, lr_min=0.005),
        epochs=args.epochs,
        batch_size=50,  # three shuffled minibatches per epoch
        seed=0,
    )
    proba = predict_proba(model, X[:3])  # (3, n_classes), rows sum to 1
    print(f"spiral: training accuracy {history.last['accuracy']:.1%} (chance: {1 / n_classes:.0%})")
    print("first three samples: labels", y[:3], "predicted", predict(model, X[:3]))
    print("their class probabilities:\n", proba.round(3))

    args.out.mkdir(parents=True, exist_ok=True)
    ax = plot_decision_boundary(model, X, y, resolution=args.resolution)
    print("wrote", save_figure(ax, args.out / "decision_boundary.png", close=True))
    print("wrote", save_figure(plot_history(history)[0], args.out / "history.png", close=True))


if __name__ == "__main__":
    main()
