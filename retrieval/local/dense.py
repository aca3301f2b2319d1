"""Dense retrieval: FAISS inner product over L2-normalised vectors, keyed by chunk id.

Two layouts, chosen by size (`DensePolicy`, overridable by DENSE_INDEX):

- `flat`: exact. Below ~50k chunks a scan is a few milliseconds on this CPU.
- `ivf`: an inverted file (IndexIVFFlat): k-means cells trained on the index's own vectors,
  a query scans the `nprobe` nearest cells. Chosen over IVF+PQ and HNSW because it stays
  incremental for free: `add_with_ids` files new vectors into their cell and `remove_ids`
  deletes them (HNSW cannot delete: it needs tombstones and periodic rebuilds), and it keeps
  full vectors, so the recall lost is only the cells not visited (measured against exact
  search on real e5 vectors: benchmarks/bench_scale.py). `ivf-sq8` stores vectors in 8 bits
  (4x less memory) for archives where memory matters more than the last point of recall.

Ids are the chunk ids of SQLite; a search can be restricted to a set of them (a date filter)
with FAISS's ID selectors, which both layouts honour while scanning. Saved with FAISS's own
writer (no pickle).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

logger = logging.getLogger(__name__)

KINDS = ("auto", "flat", "ivf", "ivf-sq8")
_EXACT_AMONG = 20_000  # a filter this narrow is scored exactly on IVF
_TRAINING_PER_CELL = 64


def single_query_threads() -> None:
    """One OpenMP thread for FAISS: a single-query flat scan is memory-bound, and on a busy
    2-core machine FAISS's thread team costs more (tens of ms) than the scan itself."""
    faiss.omp_set_num_threads(1)


@dataclass(frozen=True, slots=True)
class DensePolicy:
    """Which layout an index of a given size gets."""

    kind: str = "auto"  # auto | flat | ivf | ivf-sq8
    ann_above: int = 50_000  # auto: IVF from this many vectors on (flat below half of it)
    nprobe: int = 128  # cells scanned per query

    def wanted(self, size: int, current: str) -> str:
        """The layout for `size` vectors; `auto` keeps the current one between half the
        threshold and the threshold, so an index near it does not flip at every re-index."""
        if self.kind != "auto":
            return self.kind
        if size >= self.ann_above:
            return current if current != "flat" else "ivf"
        if size < self.ann_above // 2:
            return "flat"
        return current


def cells_for(size: int) -> int:
    """Number of IVF cells: about 4 sqrt(n) as a power of two (the low end of FAISS's guidance,
    4 to 16 sqrt(n): 4,096 at a million vectors, so 128 probed cells scan a 32nd of them), at
    most 65,536, and never more than n / 39 (k-means wants 39 training points per cell; a tiny
    index gets one). Measured on real e5 vectors padded to size (benchmarks/bench_scale.py): at
    a million, sqrt(n) cells needed 64 probes (13 ms) for recall@10 0.993 against exact search,
    4 sqrt(n) reach 1.000 from 32 probes (1.5 ms) and train in 95 s instead of 12."""
    cells = 2 ** round(math.log2(max(4 * math.sqrt(max(size, 1)), 16)))
    return int(max(1, min(cells, 65_536, size // 39)))


class DenseIndex:
    def __init__(self, index: faiss.Index, nprobe: int = 128) -> None:
        # Any: FAISS's stubs know neither the subclasses' fields (nlist, invlists, id_map) nor
        # the search parameters' keyword arguments.
        self._index: Any = index
        self.nprobe = nprobe
        # An IVF index planned by `expect` keeps its first vectors here until there are enough
        # (`_train_on`) to train its cells on.
        self._waiting: list[tuple[np.ndarray, np.ndarray]] = []
        self._train_on = 0

    @classmethod
    def empty(cls, dimension: int) -> DenseIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)))

    @classmethod
    def load(cls, path: Path, nprobe: int = 128, mmap: bool = False) -> DenseIndex:
        """`mmap`: map the file instead of reading it (to look at its layout, not to search)."""
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        index = faiss.read_index(str(path), flags)
        return cls(index, nprobe)  # read_index returns the concrete class already

    def save(self, path: Path) -> None:
        self.flush()
        faiss.write_index(self._index, str(path))

    @property
    def kind(self) -> str:
        if isinstance(self._index, faiss.IndexIVFScalarQuantizer):
            return "ivf-sq8"
        if isinstance(self._index, faiss.IndexIVF):
            return "ivf"
        return "flat"

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal) + sum(len(i) for i, _ in self._waiting)

    def expect(self, count: int, policy: DensePolicy) -> None:
        """Before a build from nothing: take now the layout `policy` wants for the `count`
        vectors to come, so that they are filed straight into it instead of being held in a
        flat index and copied over at the end. An IVF layout keeps the first vectors aside
        until it has 64 a cell to train its cells on (the first articles, not a sample of all:
        the price of never holding a large archive's vectors twice during a full re-index)."""
        if len(self) or self._waiting:
            raise ValueError("only an empty index can take a planned layout")
        kind = policy.wanted(count, self.kind)
        if kind == "flat":
            return
        cells = cells_for(count)
        self._index = _untrained(kind, self.dimension, cells, policy.nprobe)
        self.nprobe = policy.nprobe
        self._train_on = min(count, _TRAINING_PER_CELL * cells)

    def add(self, chunk_ids: list[int], vectors: np.ndarray) -> None:
        if not chunk_ids:
            return
        ids = np.asarray(chunk_ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self._train_on:
            self._waiting.append((ids, vectors))
            if sum(len(i) for i, _ in self._waiting) >= self._train_on:
                self.flush()
            return
        self._index.add_with_ids(vectors, ids)

    def flush(self) -> None:
        """Train a planned IVF index on the vectors kept aside (all it got, if fewer than
        planned) and file them; nothing to do otherwise."""
        if not self._train_on:
            return
        self._train_on = 0
        if not self._waiting:
            return
        ids = np.concatenate([i for i, _ in self._waiting])
        vectors = np.vstack([v for _, v in self._waiting])
        self._waiting = []
        _train(self._index, vectors)
        self._index.add_with_ids(vectors, ids)

    def remove(self, chunk_ids: list[int]) -> None:
        self.flush()
        if chunk_ids:
            self._index.remove_ids(np.asarray(chunk_ids, dtype=np.int64))

    def search(
        self, query: np.ndarray, limit: int, among: Sequence[int] | None = None, excluded: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """(chunk_id, cosine similarity) best first; `among` restricts the search to those
        chunk ids (a date filter), `excluded` leaves those out (a base's chunks that a delta
        generation replaced); both are checked while scanning, so the `limit` best are all allowed."""
        self.flush()
        if len(self) == 0 or (among is not None and len(among) == 0):
            return []
        if excluded is not None and not len(excluded):
            excluded = None
        if among is not None and self.kind != "flat" and len(among) <= _EXACT_AMONG:
            # A narrow filter on IVF: the allowed chunks may sit in cells the probe skips, so
            # score them all exactly (a few thousand dot products).
            allowed = np.asarray(among, dtype=np.int64)
            if excluded is not None:
                allowed = np.setdiff1d(allowed, excluded)
            return self._exact_among(query, limit, allowed.tolist())
        # The selectors and the id arrays they point into live until the search returns.
        params, _alive = self._search_parameters(among, excluded)
        scores, ids = self._index.search(
            query.reshape(1, -1).astype(np.float32), min(limit, len(self)), params=params
        )
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def _exact_among(self, query: np.ndarray, limit: int, among: Sequence[int]) -> list[tuple[int, float]]:
        ids = np.unique(np.asarray(among, dtype=np.int64))
        if not len(ids):
            return []
        try:
            vectors = self._index.reconstruct_batch(ids)
        except RuntimeError:  # some ids are not in the index (removed, or of another kind)
            kept = []
            for chunk_id in ids.tolist():
                with contextlib.suppress(RuntimeError):
                    kept.append((chunk_id, self._index.reconstruct(chunk_id)))
            if not kept:
                return []
            ids = np.array([i for i, _ in kept], dtype=np.int64)
            vectors = np.vstack([v for _, v in kept])
        scores = vectors @ query.astype(np.float32).reshape(-1)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(int(ids[j]), float(scores[j])) for j in order]

    def _search_parameters(self, among: Sequence[int] | None, excluded: np.ndarray | None) -> tuple[Any, list[Any]]:
        """FAISS search parameters, and the objects they point to (kept alive by the caller:
        the index is shared by threads, so nothing of one search is kept on it)."""
        alive: list[Any] = []
        selector: Any = None
        if among is not None:
            allowed = np.asarray(among, dtype=np.int64)
            selector = faiss.IDSelectorBatch(allowed)
            alive += [allowed, selector]
        if excluded is not None:
            dropped = np.ascontiguousarray(excluded, dtype=np.int64)
            batch = faiss.IDSelectorBatch(dropped)
            not_dropped = faiss.IDSelectorNot(batch)
            alive += [dropped, batch, not_dropped]
            selector = not_dropped if selector is None else faiss.IDSelectorAnd(selector, not_dropped)
            alive.append(selector)
        parameters: Any = faiss
        if self.kind == "flat":
            return (parameters.SearchParameters(sel=selector) if selector is not None else None), alive
        return parameters.SearchParametersIVF(sel=selector, nprobe=self.nprobe), alive

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of everything stored (vectors decoded for `ivf-sq8`)."""
        self.flush()
        if self.kind == "flat":
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            flat = faiss.downcast_index(self._index.index)
            return ids, flat.reconstruct_n(0, len(self)).reshape(len(self), self.dimension)
        ivf = self._index
        invlists = ivf.invlists
        all_ids, all_vectors = [], []
        for cell in range(ivf.nlist):
            size = invlists.list_size(cell)
            if not size:
                continue
            ids = faiss.rev_swig_ptr(invlists.get_ids(cell), size).copy()
            all_ids.append(ids)
            all_vectors.append(ivf.reconstruct_batch(ids))
        if not all_ids:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.dimension), dtype=np.float32)
        return np.concatenate(all_ids).astype(np.int64), np.vstack(all_vectors)

    def fitted(self, policy: DensePolicy) -> DenseIndex:
        """This index in the layout `policy` wants for its size: itself when it already is,
        else a rebuild from its vectors (IVF cells trained on them). Also re-trains an IVF
        index whose size now calls for 4 times more (or fewer) cells than it has: about 16
        times the vectors its cells were trained on."""
        wanted = policy.wanted(len(self), self.kind)
        self.nprobe = policy.nprobe
        if wanted == self.kind and not self._cells_outgrown():
            return self
        ids, vectors = self.vectors()
        logger.info("dense index layout %s -> %s vectors=%d", self.kind, wanted, len(ids))
        return build(wanted, ids, vectors, policy.nprobe)

    def _cells_outgrown(self) -> bool:
        if self.kind == "flat":
            return False
        cells = int(self._index.nlist)
        return not cells / 4 < cells_for(len(self)) < cells * 4


def build(kind: str, ids: np.ndarray, vectors: np.ndarray, nprobe: int = 128) -> DenseIndex:
    """A new index of `kind` holding these vectors; IVF cells are trained on a sample of them."""
    dimension = vectors.shape[1]
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if kind == "flat":
        index = DenseIndex.empty(dimension)
        index.add(ids.tolist(), vectors)
        return index
    ivf = _untrained(kind, dimension, cells_for(len(vectors)), nprobe)
    _train(ivf, vectors)
    index = DenseIndex(ivf, nprobe)
    for start in range(0, len(vectors), 100_000):
        index.add(ids[start : start + 100_000].tolist(), vectors[start : start + 100_000])
    return index


def _untrained(kind: str, dimension: int, cells: int, nprobe: int) -> Any:
    if kind not in ("ivf", "ivf-sq8"):
        raise ValueError(f"unknown dense index kind {kind!r}; choose one of {', '.join(KINDS)}")
    quantizer: Any = faiss.IndexFlatIP(dimension)
    if kind == "ivf":
        ivf: Any = faiss.IndexIVFFlat(quantizer, dimension, cells, faiss.METRIC_INNER_PRODUCT)
    else:
        ivf = faiss.IndexIVFScalarQuantizer(
            quantizer, dimension, cells, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
    ivf.own_fields = True
    quantizer.this.disown()
    ivf.nprobe = nprobe
    return ivf


def _train(ivf: Any, vectors: np.ndarray) -> None:
    """Train the cells on a sample of `vectors`, 64 per cell (k-means wants at least 39; more
    costs minutes at a million vectors and moves recall by little)."""
    cells = int(ivf.nlist)
    sample = vectors
    if len(vectors) > _TRAINING_PER_CELL * cells:
        rng = np.random.default_rng(len(vectors))
        sample = vectors[np.sort(rng.choice(len(vectors), _TRAINING_PER_CELL * cells, replace=False))]
    ivf.train(sample)
    # A hash table from id to (cell, offset): remove_ids and reconstruct without a scan.
    faiss_any: Any = faiss
    ivf.set_direct_map_type(faiss_any.DirectMap.Hashtable)
