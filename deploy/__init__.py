"""Running the dashboard as several replicas behind nginx (``python -m deploy.replicas``); see deploy/README.md.

Outside the runtime package: ``earnings`` never imports it.
"""
