"""Kinerja's PostgreSQL backend: Django's, plus the hooks row-level security needs under transaction
pooling (``kinerja.rls.execute_wrapper``)."""
