"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""
from sozialplanung import create_app

app = create_app()
