"""osteo-cds: a CDS Hooks 2.0 service for the Dutch (NL) and Belgian (BE) osteoporosis guidelines."""

__all__: list[str] = []
