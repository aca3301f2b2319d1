"""The local index backend: FAISS + SQLite (FTS5 BM25) generations in INDEX_DIR, built beside
the live one by a re-index and copied out by a backup."""
