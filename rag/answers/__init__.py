"""The shapes of an offline answer, one module per kind: a verdict (yes/no, who said it), a figure or a date,
a comparison across interviews; open questions get quotes (rag/extractive.py)."""
