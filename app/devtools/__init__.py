"""Developer tools, never on the service's request path: the FHIR test server launcher, the synthetic patient
library, and what ``osteo-cds evaluate`` / ``osteo-cds demo`` run.

Import the submodules directly (``app.devtools.fhir_server``, ``app.devtools.patients``, ``app.devtools.evaluate``,
``app.devtools.demo``, ``app.devtools.connections``); this package imports nothing itself, so ``app`` never loads
them by accident.
"""

from __future__ import annotations

__all__: list[str] = []
