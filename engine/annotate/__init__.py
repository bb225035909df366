"""Annotation helpers: inter-annotator agreement and apex suggestion (pure computations, no catalog)."""
