"""How long `qabot ask` takes as a user runs it (a new process each time), and `qabot ask -`
answering 20 questions in one process; optionally the same on another checkout (the baseline).

    .venv/bin/python benchmarks/bench_cli_start.py [--repeat 2] [--baseline /path/to/checkout]
        [--out benchmarks/reports/cli_start.json]

The index of seeds/ is built first (into a temporary INDEX_DIR, by this checkout's `qabot
index`); the encoder's model must already be prepared (MODEL_CACHE_DIR; a baseline from before
the shared cache uses its own DATA_DIR/models, given as BASELINE_DATA_DIR or prepared on its
first call, which is then left out of the figures). Before `ask -` existed, a script asked 20
questions as 20 processes: the baseline's figure for it is 20 x its mean single call.
Wall times on a shared machine: compare runs made together, never across reports.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Combien de civils ont fui Alep depuis le début de l'offensive ?"
QUESTIONS = [
    "Combien de civils ont fui Alep depuis le début de l'offensive ?",
    "Qui contrôlait les quartiers Est d'Alep ?",
    "Combien de civils sont morts à Alep-Est selon l'OSDH ?",
    "Quel pourcentage des quartiers Est les forces pro-Assad contrôlaient-elles ?",
    "Depuis quand les rebelles tenaient-ils les quartiers Est d'Alep ?",
    "Qu'a dit le Secrétaire général des Nations unies ?",
    "Combien de victimes à Alep-Ouest ?",
    "Que demandent les Nations unies pour les civils d'Alep ?",
    "Qui a lancé l'offensive sur Alep ?",
    "Quel est le bilan de l'opération militaire ?",
    "Où les civils ont-ils fui ?",
    "Que se passe-t-il à Alep-Est ?",
    "Quelle organisation compte les morts en Syrie ?",
    "Quand l'offensive a-t-elle commencé ?",
    "Quel est le prix d'un ticket de métro à Tokyo ?",
    "Qui a gagné la Coupe du monde de football 2018 ?",
    "Les rebelles ont-ils perdu Alep ?",
    "Combien de quartiers sont encore tenus par les rebelles ?",
    "Qu'est-ce que l'OSDH ?",
    "Quelle ville est au cœur de l'offensive ?",
]


def qabot(checkout: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[float, str]:
    """Wall seconds of one `qabot` process run from `checkout`, and its standard output."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=checkout, input=stdin, text=True,
                          capture_output=True, env={**env, "PYTHONPATH": str(checkout)}, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"qabot {' '.join(args[:1])} failed in {checkout}:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def import_seconds(checkout: Path, env: dict[str, str]) -> float:
    _, out = qabot_python(checkout, env, "import time; t = time.perf_counter(); import cli.main; "
                                         "print(time.perf_counter() - t)")
    return float(out)


def qabot_python(checkout: Path, env: dict[str, str], code: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=checkout, text=True, capture_output=True,
                          env={**env, "PYTHONPATH": str(checkout)}, check=True)
    return time.perf_counter() - started, done.stdout


def measure(checkout: Path, env: dict[str, str], repeat: int, batch: bool) -> dict[str, object]:
    qabot(checkout, env, "ask", QUESTION, "--json")  # warms the file cache, prepares a missing model
    singles = [qabot(checkout, env, "ask", QUESTION, "--json")[0] for _ in range(repeat)]
    single = statistics.mean(singles)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout, text=True,
                            capture_output=True, check=False).stdout.strip()
    report: dict[str, object] = {
        "checkout": str(checkout), "commit": commit, "import_cli_s": round(import_seconds(checkout, env), 2),
        "ask_one_s": [round(s, 2) for s in singles], "ask_one_mean_s": round(single, 2),
    }
    if batch:
        seconds, out = qabot(checkout, env, "ask", "-", stdin="\n".join(QUESTIONS) + "\n")
        answers = [json.loads(line) for line in out.splitlines()]
        assert len(answers) == len(QUESTIONS), out[-2000:]
        answering = sum(float(a["timings_ms"]["total"]) for a in answers) / 1000
        report.update({"ask_dash_20_s": round(seconds, 2), "ask_dash_20_answering_s": round(answering, 2),
                       "ask_dash_20_answered": sum(bool(a["answered"]) for a in answers)})
    else:
        report["ask_20_processes_estimate_s"] = round(len(QUESTIONS) * single, 2)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure the same way (before)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "cli_start.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ARTICLES_DIR": str(ROOT / "seeds"), "INDEX_DIR": str(Path(tmp) / "index"),
               "DATA_DIR": str(Path(tmp) / "data")}
        qabot(ROOT, env, "index")
        report: dict[str, object] = {"questions": len(QUESTIONS), "after": measure(ROOT, env, args.repeat, True)}
        if args.baseline:
            before_env = {**env, "DATA_DIR": os.environ.get("BASELINE_DATA_DIR", str(Path(tmp) / "before"))}
            report["before"] = measure(args.baseline.resolve(), before_env, args.repeat, False)
    report["cpus"] = os.cpu_count()
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
