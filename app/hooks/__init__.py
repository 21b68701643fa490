"""The CDS Hooks surface: wire models, the service registry, the routes and the per-call pipeline."""

from __future__ import annotations

__all__: list[str] = []
