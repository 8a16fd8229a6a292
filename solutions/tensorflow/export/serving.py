"""Export a Keras model as a SavedModel with a serving signature, and load it back."""

from __future__ import annotations

import keras
import tensorflow as tf


def export_for_serving(model: keras.Model, path: str) -> None:
    """Write a SavedModel whose serving_default maps features (None, D) to scores."""
    dim = model.inputs[0].shape[-1]
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        name="serving_default",
        fn=lambda features: {"scores": model(features, training=False)},
        input_signature=[tf.TensorSpec((None, dim), tf.float32, name="features")],
    )
    archive.write_out(path, verbose=False)


def load_serving_fn(path: str):
    """The serving_default signature of the SavedModel at path."""
    return tf.saved_model.load(path).signatures["serving_default"]
