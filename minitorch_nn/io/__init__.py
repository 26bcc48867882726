"""Models in and out: safetensors checkpoints and PyTorch interop.

- ``checkpoint``: ``save_model``, ``load_model``, ``load_state_into``, ``read_checkpoint``;
  importing it installs ``Module.save`` / ``Module.load`` (nn sits below io and never imports
  it). ``format`` checks a file's header and bytes, ``files`` writes atomically.
- ``interop``: ``to_torch`` and ``from_torch`` (torch is imported only when they are called).
- ``callbacks``: ``ModelCheckpoint``, the training callback that saves the model.
"""

from .callbacks import ModelCheckpoint
from .checkpoint import load_model, load_state_into, read_checkpoint, save_model
from .interop import from_torch, to_torch

__all__ = [
    "ModelCheckpoint",
    "from_torch",
    "load_model",
    "load_state_into",
    "read_checkpoint",
    "save_model",
    "to_torch",
]
