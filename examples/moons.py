"""Two moons: an MLP trained with the demo recipe (hinge loss + L2, SGD with a decaying rate).

    python examples/moons.py [--out runs/examples/moons] [--epochs 100] [--resolution 150]

Writes decision_boundary.png, history.png and model.safetensors into --out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, open no window

from minitorch_nn.data import load_dataset, train_test_split  # noqa: E402
from minitorch_nn.io import save_model  # noqa: E402
from minitorch_nn.nn import MLP  # noqa: E402
from minitorch_nn.optim.schedules import linear_decay  # noqa: E402
from minitorch_nn.plot import plot_decision_boundary, plot_history, save_figure  # noqa: E402
from minitorch_nn.train import fit  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/examples/moons"))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--resolution", type=int, default=150)
    args = parser.parse_args(argv)

    X, y = load_dataset("moons", n_samples=200, noise=0.1, seed=0)  # (200, 2), (200,)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, seed=0)

    model = MLP(2, [16, 16, 1], activation="relu", seed=0)  # one score per sample
    history = fit(
        model,
        X_train,
        y_train,
        loss="hinge",  # labels {0, 1} become {-1, +1}; predict 1 where score > 0
        optimizer="sgd",
        lr_schedule=linear_decay(1.0, 0.1, args.epochs),  # 1.0 falling to 0.1
        l2=1e-4,
        epochs=args.epochs,
        X_val=X_val,
        y_val=y_val,
    )
    last = history.last  # the trained model's numbers, as evaluate() would give them
    print(
        f"moons: loss {last['loss']:.4g}, accuracy {last['accuracy']:.1%} train, "
        f"{last['val_accuracy']:.1%} validation"
    )

    args.out.mkdir(parents=True, exist_ok=True)
    ax = plot_decision_boundary(
        model, X_train, y_train, resolution=args.resolution, X_val=X_val, y_val=y_val
    )
    print("wrote", save_figure(ax, args.out / "decision_boundary.png", close=True))
    print("wrote", save_figure(plot_history(history)[0], args.out / "history.png", close=True))
    print("wrote", save_model(model, args.out / "model.safetensors"))


if __name__ == "__main__":
    main()
