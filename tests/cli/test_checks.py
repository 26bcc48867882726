"""The checks before any work: every bad value or combination, and every resource beyond a
limit, exits with status 2 and one line on stderr."""

from __future__ import annotations

import pytest

from minitorch_nn.cli import MAX_PARAMETERS, MAX_SAMPLES, TrainConfig, main


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["train", "--lr", "-0.5"], "--lr: expected a finite number > 0, got '-0.5'"),
        (["train", "--lr", "nan"], "--lr: expected a finite number > 0"),
        (["train", "--lr", "inf"], "--lr: expected a finite number > 0, got 'inf'"),
        (["train", "--noise", "inf"], "--noise: expected a number from 0 to 100"),
        (["train", "--noise", "1e300"], "--noise: expected a number from 0 to 100"),
        (["train", "--l2", "-1"], "--l2: expected a number from 0 to 10"),
        (["train", "--l2", "1e308"], "--l2: expected a number from 0 to 10"),
        (["train", "--hidden", "16", "0"], "--hidden: expected an integer from 1"),
        (["train", "--epochs", "0"], "--epochs: expected an integer from 1"),
        (["train", "--n-samples", "many"], "--n-samples: expected an integer from 1"),
        (
            ["train", "--n-samples", "1"],
            # ceil(0.25 * 37) = 10 validation points is the first split with 10 of each
            "leaves 0 training and 1 validation point; each set needs at least 10; "
            "use --n-samples 37 or more",
        ),
        (
            ["train", "--dataset", "spiral", "--n-samples", "2", "--validation-fraction", "0"],
            "spiral has 3 classes and needs a point of each; use --n-samples 3 or more",
        ),
        (["train", "--n-samples", "3"], "leaves 2 training and 1 validation point;"),
        (
            ["train", "--n-samples", "20", "--validation-fraction", "0.9"],
            "leaves 2 training and 18 validation points; each set needs at least 10; "
            "use --n-samples 100 or more",
        ),
        (
            ["train", "--n-samples", "20", "--validation-fraction", "0.9999999"],
            "no --n-samples within the limit works",
        ),
        (["train", "--seed", "4294967296"], "--seed: expected an integer from 0 to 4294967295"),
        (["train", "--seed", "-1"], "--seed: expected an integer from 0 to 4294967295"),
        (
            ["train", "--validation-fraction", "1.5"],
            "--validation-fraction: expected a fraction in [0, 1)",
        ),
        (["train", "--test-size", "0.2"], "unrecognized arguments: --test-size"),
        (["train", "--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
        (["train", "--engine", "gpu"], "invalid choice: 'gpu'"),
        (["train", "--dataset", "spiral", "--loss", "hinge"], "use --loss cross_entropy"),
        (["train", "--bogus"], "unrecognized arguments: --bogus"),
        (["playground", "--port", "70000"], "--port: expected a port number from 1 to 65535"),
        (["playground", "--port", "0"], "--port: expected a port number from 1 to 65535"),
        (["playground", "--host", "no such host!"], "--host: expected an IP address or a host"),
        ([], "required: {train,datasets,playground}"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, message, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # nothing may be written: checked below
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert message in lines[0]
    assert lines[0].startswith("minitorch-nn")
    assert captured.out == "" and not any(tmp_path.iterdir())  # refused before any work


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--n-samples", "1000000000000"], f"to {MAX_SAMPLES:,} (the limit)"),
        (["--hidden", "100000", "100000"], f"the limit is {MAX_PARAMETERS:,}"),
        (["--hidden", "1000", "1000", "1000"], f"the limit is {MAX_PARAMETERS:,}"),
        (["--n-samples", "1000000", "--hidden", "256", "256"], "GiB available"),
    ],
)
def test_resource_limits_are_refused_before_any_work(args, message, run_cli):
    # in a subprocess: a limit that failed to hold would show as a traceback or a slow run
    result = run_cli("train", *args, "--out", "never-written")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert result.stdout == ""


def test_the_memory_estimate_scales_with_the_engine_and_batch(monkeypatch, tmp_path, capsys):
    from minitorch_nn.cli import checks

    monkeypatch.setattr(checks, "available_memory", lambda: 2**30)  # 1 GiB
    args = ["train", "--n-samples", "100000", "--hidden", "32", "32", "--out", str(tmp_path / "r")]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "on the scalar engine needs about" in capsys.readouterr().err
    # the same data in minibatches (or on the tensor engine) fits: the estimate lets it through
    config = checks.check_config(
        TrainConfig(n_samples=100_000, hidden=[32, 32], batch_size=64, out=str(tmp_path))
    )
    assert config.batch_size == 64
    checks.check_config(TrainConfig(n_samples=100_000, hidden=[32, 32], engine="tensor"))


def test_a_split_message_suggests_only_what_would_work(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--dataset", "spiral", "--n-samples", "2"])
    # --validation-fraction 0 would still leave 2 points for 3 classes: not suggested
    assert capsys.readouterr().err.strip().endswith("use --n-samples 37 or more")
    with pytest.raises(SystemExit):
        main(["train", "--dataset", "spiral", "--n-samples", "5"])
    assert capsys.readouterr().err.strip().endswith("or --validation-fraction 0")


def test_unwritable_out_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SystemExit) as exc:
        main(["train", "--epochs", "1", "--out", str(blocker / "run")])
    assert exc.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--out" in lines[0] and "cannot write" in lines[0]


@pytest.mark.parametrize("args", [["train", "--dataset", "mnist"], ["train", "--out", "{file}/x"]])
def test_error_exits_in_a_subprocess_have_no_traceback(args, tmp_path, run_cli):
    (tmp_path / "file").write_text("")
    result = run_cli(*[a.format(file=tmp_path / "file") for a in args], cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""
