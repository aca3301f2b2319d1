"""The encoders: the embedding models behind dense search, their shared cache on disk, and the
gate that lets a question go before an indexing batch."""
