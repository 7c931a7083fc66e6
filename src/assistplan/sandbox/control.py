"""Control routes under `/_sandbox/` (a prefix no OpenAI path uses), for tests in other processes.

    GET    /_sandbox/health     {"status": "ok"}
    GET    /_sandbox/counters   {"counters": {"POST /assistants": 3, ...}}
    DELETE /_sandbox/counters   reset the counters
    GET    /_sandbox/faults     the active FaultConfig as JSON
    POST   /_sandbox/faults     replace it (body: FaultConfig fields; `routes` maps route keys to configs)
    DELETE /_sandbox/faults     stop injecting faults
    POST   /_sandbox/reset      forget every object and file, reset counters and faults, clear triggers
    GET    /_sandbox/replies    the scripted model's queued and pattern replies (see scripted_model.py)
    POST   /_sandbox/replies    add some (body: {"queue": [reply, ...], "patterns": {regex: reply}})
    DELETE /_sandbox/replies    forget them

No API key is needed, and these routes are neither counted nor subject to faults.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assistplan.sandbox import scripted_model
from assistplan.sandbox.errors import SandboxError
from assistplan.sandbox.faults import FaultConfig, FaultInjector
from assistplan.sandbox.store import Store
from assistplan.sandbox.triggers import Triggers

PREFIX = "/_sandbox/"


def routes(store: Store, faults: FaultInjector, triggers: Triggers) -> list[Route]:
    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def counters(request: Request) -> Response:
        if request.method == "DELETE":
            faults.reset_counters()
        return JSONResponse({"counters": faults.counters()})

    async def fault_config(request: Request) -> Response:
        if request.method == "POST":
            try:
                faults.configure(FaultConfig.from_dict(json.loads(await request.body() or b"{}")))
            except (ValueError, TypeError) as error:
                failure = SandboxError(400, f"Invalid fault configuration: {error}")
                return JSONResponse(failure.body(), status_code=400)
        elif request.method == "DELETE":
            faults.configure(FaultConfig())
        return JSONResponse(faults.config.to_dict())

    async def reset(request: Request) -> Response:
        store.clear()
        faults.reset_counters()
        faults.configure(FaultConfig())
        triggers.clear()
        return JSONResponse({"reset": True})

    return [
        Route(PREFIX + "health", health, methods=["GET"]),
        Route(PREFIX + "counters", counters, methods=["GET", "DELETE"]),
        Route(PREFIX + "faults", fault_config, methods=["GET", "POST", "DELETE"]),
        Route(PREFIX + "reset", reset, methods=["POST"]),
        *scripted_model.routes(store),
    ]
