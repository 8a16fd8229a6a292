"""Hidden graders for tensorflow/tensorboard.

The learner's event files are read as bytes in the worker and parsed in the
judge with TensorBoard's own EventAccumulator, on TensorBoard's TF-free stub
(pure data parsing: the judge never imports TensorFlow or the learner's code).
"""

import io
import sys
import types

import numpy as np
import pytest

# Before TensorBoard resolves its lazy `tf`: use the stub, never TensorFlow.
sys.modules.setdefault(
    "tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf")
)

from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.compat.proto import event_pb2, summary_pb2  # noqa: E402
from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

from runner.grading import Tolerance, expect_close  # noqa: E402

# Scalars are stored as float32.
FLOAT32 = Tolerance(rtol=1e-6, atol=1e-7)
EVERY = 2
EPOCHS = 5
VAL_EPOCHS = (1, 3)


def history() -> list[dict]:
    rng = np.random.default_rng(0)
    epochs = []
    for epoch in range(EPOCHS):
        metrics = {"loss": float(rng.uniform(0.1, 2)), "accuracy": float(rng.uniform())}
        if epoch in VAL_EPOCHS:
            metrics |= {
                "val_loss": float(rng.uniform(0.1, 2)),
                "val_accuracy": float(rng.uniform()),
            }
        epochs.append(metrics)
    return epochs


def weights() -> list[dict]:
    rng = np.random.default_rng(1)
    return [
        {
            "dense/kernel": rng.normal(epoch, 1.0, size=(3, 4 + epoch)),
            "dense/bias": rng.uniform(-epoch - 1, epoch + 1, size=(2 + epoch,)),
        }
        for epoch in range(EPOCHS)
    ]


def expected_scalars() -> dict[str, list[tuple[int, float]]]:
    tags: dict[str, list] = {}
    for epoch, metrics in enumerate(history()):
        for key, value in metrics.items():
            tag = f"{key[4:]}/val" if key.startswith("val_") else f"{key}/train"
            tags.setdefault(tag, []).append((epoch, value))
    return tags


def load_run(worker, log_dir: str, folder) -> ea.EventAccumulator:
    """Copy the event files of log_dir out of the worker and open them."""
    os_ = worker.import_module("os")
    pathlib = worker.import_module("pathlib")
    names = sorted(os_.listdir(log_dir))
    nested = [n for n in names if os_.path.isdir(f"{log_dir}/{n}")]
    assert not nested, "log_history should write its event files directly into log_dir"
    assert (
        names
    ), "log_history wrote no file into log_dir (is the writer flushed and closed?)"
    for name in names:
        (folder / name).write_bytes(
            pathlib.Path(f"{log_dir}/{name}").call_method("read_bytes")
        )
    guidance = {ea.TENSORS: 0, ea.SCALARS: 0, ea.HISTOGRAMS: 0}
    acc = ea.EventAccumulator(str(folder), size_guidance=guidance)
    acc.Reload()
    return acc


def plugin(acc, tag) -> str:
    return acc.SummaryMetadata(tag).plugin_data.plugin_name


def scalars(acc) -> dict[str, list[tuple[int, float]]]:
    found = {
        tag: [(e.step, e.value) for e in acc.Scalars(tag)]
        for tag in acc.Tags()["scalars"]
    }
    for tag in acc.Tags()["tensors"]:
        if plugin(acc, tag) == "scalars":
            found[tag] = [
                (e.step, float(tensor_util.make_ndarray(e.tensor_proto)))
                for e in acc.Tensors(tag)
            ]
    return found


def histograms(acc) -> dict[str, list[tuple[int, float, float, float]]]:
    """tag -> [(step, total count, low, high)], from TF2 tensors or classic protos."""
    found = {}
    for tag in acc.Tags()["histograms"]:
        found[tag] = [
            (
                e.step,
                e.histogram_value.num,
                e.histogram_value.min,
                e.histogram_value.max,
            )
            for e in acc.Histograms(tag)
        ]
    for tag in acc.Tags()["tensors"]:
        if plugin(acc, tag) == "histograms":
            buckets = [
                (e.step, tensor_util.make_ndarray(e.tensor_proto))
                for e in acc.Tensors(tag)
            ]
            found[tag] = [
                (s, b[:, 2].sum(), b[:, 0].min(), b[:, 1].max()) for s, b in buckets
            ]
    return found


def run_learner(submission, worker, folder, log_dir="run", **kwargs):
    submission.log_history(log_dir, history(), **kwargs)
    return load_run(worker, log_dir, folder)


@pytest.mark.category("behaviour")
@pytest.mark.points(30)
def test_scalar_tags_and_steps(submission, worker, tmp_path):
    """Scalar tags follow the naming rule and sit at step = epoch"""
    found = scalars(run_learner(submission, worker, tmp_path))
    wanted = expected_scalars()
    extra, missing = sorted(set(found) - set(wanted)), sorted(set(wanted) - set(found))
    assert not (extra or missing), (
        f"scalar tags: {len(missing)} expected tag(s) missing, unexpected {extra}; "
        "'val_<name>' becomes '<name>/val', any other key '<key>/train'"
    )
    for tag, points in wanted.items():
        steps = sorted(step for step, _ in found[tag])
        assert steps == [step for step, _ in points], (
            f"the steps of {tag!r} are {steps}; each epoch's value goes at step = epoch "
            "(0-based), once, and only for epochs that have the key"
        )


@pytest.mark.category("numerics")
@pytest.mark.points(20)
def test_scalar_values(submission, worker, tmp_path):
    """Scalar values are the history's numbers"""
    found = scalars(run_learner(submission, worker, tmp_path))
    for tag, points in expected_scalars().items():
        assert tag in found, f"the scalar tag {tag!r} is missing"
        got = dict(found[tag])
        values = np.array([got.get(step, np.nan) for step, _ in points])
        expect_close(
            values,
            np.array([v for _, v in points]),
            f"the values of {tag!r}",
            FLOAT32,
            hint="write each epoch's own number, unchanged",
        )


@pytest.mark.category("behaviour")
@pytest.mark.points(25)
def test_histograms_at_steps(submission, worker, tmp_path):
    """Weight histograms appear every histogram_every epochs and summarise that epoch"""
    acc = run_learner(
        submission, worker, tmp_path, weights=weights(), histogram_every=EVERY
    )
    found = histograms(acc)
    names = sorted(weights()[0])
    wanted = {f"weights/{name}" for name in names}
    assert (
        set(found) == wanted
    ), f"histogram tags are {sorted(found)}; expected one 'weights/<name>' per array"
    steps = list(range(0, EPOCHS, EVERY))
    for name in names:
        tag = f"weights/{name}"
        got = sorted(step for step, *_ in found[tag])
        assert got == steps, (
            f"{tag!r} has histograms at steps {got}; one is due at every epoch e with "
            f"e % histogram_every == 0 (histogram_every={EVERY} here)"
        )
        for step, count, low, high in found[tag]:
            array = weights()[step][name]
            assert round(count) == array.size, (
                f"a histogram of {tag!r} counts {count:g} values, not the size of the "
                "array of its own epoch"
            )
            assert np.isclose(low, array.min()) and np.isclose(
                high, array.max()
            ), f"a histogram of {tag!r} does not span the array of its own epoch"


def event_file(*events) -> bytes:
    buffer = io.BytesIO()
    writer = RecordWriter(buffer)
    for event in (
        event_pb2.Event(wall_time=1.0, file_version="brain.Event:2"),
        *events,
    ):
        writer.write(event.SerializeToString())
    return buffer.getvalue()


def tensor_scalar(tag, step, value) -> event_pb2.Event:
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")
    )
    tensor = tensor_util.make_tensor_proto(np.float32(value))
    summary = summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=tensor)]
    )
    return event_pb2.Event(wall_time=2.0 + step, step=step, summary=summary)


def simple_scalar(tag, step, value) -> event_pb2.Event:
    summary = summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)]
    )
    return event_pb2.Event(wall_time=20.0 + step, step=step, summary=summary)


@pytest.mark.category("api")
@pytest.mark.points(25)
def test_read_scalars_every_file_and_format(submission, worker):
    """read_scalars finds a tag in every event file, TF2 tensors and classic values"""
    # A run written in two sessions: TF2 tensors first, then a classic writer,
    # out of step order in the file.
    first = event_file(
        *(tensor_scalar("loss/train", s, 1.0 / (s + 1)) for s in range(3)),
        tensor_scalar("lr", 0, 0.1),
    )
    second = event_file(
        simple_scalar("loss/train", 4, 0.125),
        simple_scalar("loss/train", 3, 0.25),
        simple_scalar("other", 3, 9.0),
    )
    pathlib = worker.import_module("pathlib")
    pathlib.Path("mixed").call_method("mkdir")
    pathlib.Path("mixed/events.out.tfevents.1000.grader.1.v2").call_method(
        "write_bytes", first
    )
    pathlib.Path("mixed/events.out.tfevents.2000.grader.2").call_method(
        "write_bytes", second
    )
    points = submission.read_scalars("mixed", "loss/train")
    assert isinstance(
        points, list
    ), "read_scalars should return a list of (step, value)"
    steps = (
        [p[0] for p in points]
        if all(isinstance(p, tuple) and len(p) == 2 for p in points)
        else None
    )
    assert steps == [0, 1, 2, 3, 4], (
        f"read_scalars returned the steps {steps}; it reads every event file of the "
        "folder, tensor and simple-value scalars alike, sorted by step"
    )
    expect_close(
        np.array([p[1] for p in points], dtype=np.float64),
        np.array([1.0, 0.5, 1 / 3, 0.25, 0.125]),
        "the values read back",
        FLOAT32,
    )
    assert (
        submission.read_scalars("mixed", "absent") == []
    ), "an unknown tag should give []"
