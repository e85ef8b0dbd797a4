"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""
import gc

from sozialplanung import create_app

app = create_app()
# Modules, templates and configuration live as long as the process: keep them out of the
# garbage collector's full passes, which otherwise pause a request for 100 ms and more.
gc.freeze()
