"""Alternative: a tf.Module with a tf.function, saved with tf.saved_model.save."""

from __future__ import annotations

import tensorflow as tf


class _Served(tf.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model
        width = int(model.inputs[0].shape[-1])
        spec = tf.TensorSpec([None, width], tf.float32, name="features")
        self.serve = tf.function(self._serve, input_signature=[spec])

    def _serve(self, features):
        return {"scores": self.model(features, training=False)}


def export_for_serving(model, path):
    module = _Served(model)
    tf.saved_model.save(module, path, signatures={"serving_default": module.serve})


def load_serving_fn(path):
    signature = tf.saved_model.load(path).signatures["serving_default"]

    def serve(features):
        return signature(features=tf.convert_to_tensor(features, tf.float32))

    return serve
