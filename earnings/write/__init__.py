"""Write: from the reviewed source files to the database (resolve, reconcile, atomic write), and ingest."""
