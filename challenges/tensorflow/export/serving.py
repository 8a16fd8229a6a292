"""Export a Keras model as a SavedModel with a serving signature, and load it back."""

from __future__ import annotations

import keras


def export_for_serving(model: keras.Model, path: str) -> None:
    """Write a TensorFlow SavedModel of model into the folder path.

    Its 'serving_default' signature takes one float32 input named 'features'
    of shape (None, D), D being the model's input width and the batch size
    left dynamic, and returns a dict with one entry 'scores': the model's
    output in inference mode (dropout off, batch-norm moving statistics).
    """
    raise NotImplementedError("implement export_for_serving")


def load_serving_fn(path: str):
    """Load the SavedModel at path and return its 'serving_default' signature.

    The result is called as fn(features=batch) and returns {'scores': tensor}.
    """
    raise NotImplementedError("implement load_serving_fn")
