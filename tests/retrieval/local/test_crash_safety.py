"""kill -9 of a re-index at random moments never breaks the live index."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from qabot.services import build_services
from qabot.settings import Settings
from tests.conftest import ROOT, local_retriever
from tests.fakes.embedder import HashingEmbedder
from tests.retrieval.local.test_index import ALEPPO, write_articles

# A re-index in a child process, slowed down so a kill lands in every phase of it.
CHILD = textwrap.dedent(
    """
    import sys, time
    from qabot.services import build_services
    from qabot.settings import Settings
    from tests.fakes.embedder import HashingEmbedder

    class Slow(HashingEmbedder):
        def embed_passages(self, texts):
            time.sleep(0.01)
            return super().embed_passages(texts)

    settings = Settings(_env_file=None, articles_dir=sys.argv[1], index_dir=sys.argv[2],
                        embedding_batch_size=4)
    print("ready", flush=True)
    build_services(settings, embedder=Slow()).reindex_now(full=sys.argv[3] == "full")
    print("done", flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize(("dense_index", "trials"), [("flat", 20), ("ivf", 10)])
def test_killed_reindex_leaves_the_previous_index_serving(
    make_settings: Callable[..., Settings], articles_dir: Path, dense_index: str, trials: int
) -> None:
    """With the exact index, and with an IVF one (the ANN layout of large archives)."""
    settings = make_settings(dense_index=dense_index)
    write_articles(articles_dir, 10)
    build_services(settings, embedder=HashingEmbedder()).reindex_now()
    assert local_retriever(build_services(settings, embedder=HashingEmbedder())).generation.dense.kind == dense_index
    rng = random.Random(20261125)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DENSE_INDEX": dense_index}
    finished = 0
    for trial in range(trials):
        write_articles(articles_dir, 2, start=100 + trial * 2)  # always something to do
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(articles_dir), str(settings.index_dir),
             "full" if trial % 2 else "incremental"],
            stdout=subprocess.PIPE, text=True, env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.6))
        child.send_signal(signal.SIGKILL)
        child.wait()
        services = build_services(settings, embedder=HashingEmbedder())
        passages = services.retriever.search(ALEPPO, k=3).passages
        assert passages and all(p.text for p in passages), f"trial {trial}"
        assert local_retriever(services).generation.dense.kind == dense_index
        finished += child.returncode == 0
    # The next re-index completes and picks everything up.
    report = build_services(settings, embedder=HashingEmbedder()).reindex_now()
    assert report.added + report.changed + report.unchanged == 11 + 2 * trials
    assert not list(settings.index_dir.glob("gen-*.tmp"))
    print(f"kill -9 ({dense_index}): {trials} trials, {trials - finished} killed mid re-index, {finished} finished first; "
          f"the previous index answered after each; the next re-index took {report.seconds:.1f}s")
