"""Read: every read of the database (all SQL) and the per-company bundles."""
