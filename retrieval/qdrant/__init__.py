"""The Qdrant index backend (INDEX_BACKEND=qdrant): a server, or qdrant-client's embedded local
mode."""
