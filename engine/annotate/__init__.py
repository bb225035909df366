"""Annotation helpers: agreement and apex suggestion (pure computations) and versioned saves (store)."""
