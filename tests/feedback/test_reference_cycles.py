"""A hook call leaves no reference cycles behind: everything it allocates is freed by reference counting, so the
garbage collector finds nothing of it (app/main.py, ``GC_GEN0_THRESHOLD``: the collector runs rarely because calls
leave it nothing to do).

Every patient of the synthetic library through patient-view, and with its draft order through order-select, in
process (the ASGI application called directly, with its lifespan), and the issued cards written, on SQLite and on
PostgreSQL (the database's driver and pool are part of a call); the collector then keeps whatever it finds
(``gc.DEBUG_SAVEALL``). Runs on both builds: compiled with mypyc, a nested function
and its environment refer to each other (one such closure in the calcium reading left a cycle per calcium result).
"""

from __future__ import annotations

import asyncio
import gc
import json
from collections import Counter

from app.config import Settings
from app.deps import get_as_of
from app.devtools.patients import REFERENCE_DATE, hook_request, library_queries, load_library, prefetch_for
from app.main import create_app
from bench.inprocess import post


def _library_calls() -> list[tuple[str, bytes]]:
    queries = library_queries()
    calls = []
    for patient in load_library():
        prefetch = prefetch_for(patient.resources, queries)
        hooks = ["patient-view", "order-select"] if patient.draft_order else ["patient-view"]
        for hook in hooks:
            body = hook_request(
                hook=hook,
                patient_id=patient.patient_id,
                prefetch=prefetch,
                draft_orders=[patient.draft_order] if hook == "order-select" and patient.draft_order else [],
                language="en",
            )
            calls.append((f"/cds-services/osteoporosis-{hook}", json.dumps(body).encode()))
    return calls


async def _garbage_of_calls(database_url: str) -> Counter[str]:
    """The types of what the collector finds after the library's calls (the calls run twice: the first round
    fills the caches that live as long as the process)."""
    app = create_app(
        Settings(
            database_url=database_url,
            auth_disabled_for_development=True,
            fhir_server_allowlist=["http://127.0.0.1"],
        )
    )
    app.dependency_overrides[get_as_of] = lambda: REFERENCE_DATE
    calls = _library_calls()
    async with app.router.lifespan_context(app) as state:
        assert state is not None
        for path, body in calls:
            assert await post(app, body, state, path) == 200
        await state["issued_cards"].flush()
        gc.collect()
        debug = gc.get_debug()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for path, body in calls:
                assert await post(app, body, state, path) == 200
            await state["issued_cards"].flush()  # the writer's transaction is part of each call's cost
            gc.collect()
            return Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
        finally:
            gc.set_debug(debug)
            gc.garbage.clear()


def test_hook_calls_leave_nothing_for_the_garbage_collector(database_url: str) -> None:
    garbage = asyncio.run(_garbage_of_calls(database_url))
    assert garbage == Counter(), f"reference cycles left by hook calls: {dict(garbage.most_common(10))}"
