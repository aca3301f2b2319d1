"""Operations routes: Prometheus metrics, liveness and readiness, for a scraper, a load balancer
or Kubernetes probes.

- `/metrics`: this process's registry (each worker serves its own; Prometheus sums them);
- `/healthz`: 200 while the process answers (liveness);
- `/readyz`: 200 when questions can be answered, else 503; the JSON body names each check and
  what fails (readiness).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from prometheus_client.exposition import choose_encoder
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from qabot.frontdoor import Check
from qabot.metrics import Metrics

logger = logging.getLogger(__name__)

Readiness = Callable[[], Awaitable[Sequence[Check]]]
# A probe gives up long before this; a check that hangs (a database lost) still gets an answer.
READY_TIMEOUT_S = 5.0


def ops_routes(metrics: Metrics, ready: Readiness) -> list[BaseRoute]:
    """The operations route group (web.server.build_web_app composes it with the others)."""

    async def exposition(request: Request) -> Response:
        # Each scrape runs the readiness checks: `qabot_ready` for alerts, and the index's size
        # as it is now (another process may have published a generation).
        metrics.readiness(await _checks(ready))
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        # Collecting reads every metric under its lock: off the loop, like any other work.
        body = await asyncio.to_thread(encoder, metrics.registry)
        return Response(body, headers={"Content-Type": content_type})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = await _checks(ready)
        metrics.readiness(checks)
        ok = all(check.ok for check in checks)
        body = {
            "ready": ok,
            "checks": {check.name: {"ok": check.ok, "problem": check.problem} for check in checks},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    return [
        Route("/metrics", exposition, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]


async def _checks(ready: Readiness) -> Sequence[Check]:
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            return await ready()
    except TimeoutError:
        logger.warning("readiness checks took longer than %.0f s", READY_TIMEOUT_S)
        return [Check("checks", f"the readiness checks took longer than {READY_TIMEOUT_S:.0f} s")]
    except Exception:
        logger.exception("a readiness check failed")
        return [Check("checks", "a readiness check failed unexpectedly; the log has the details")]
