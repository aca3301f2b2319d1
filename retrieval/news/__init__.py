"""What news adds to search: dates in retrieval ("the latest", a period), one copy per story
(near-duplicate articles found at index time)."""
