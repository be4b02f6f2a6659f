"""Gunicorn settings for sellerkit's web workers (`gunicorn -c python:sellerkit.gunicorn_conf ...`)."""
import gc


def post_worker_init(worker):
    """Once the app is loaded, move its long-lived objects (models, templates, catalogs, the route map) out of
    the garbage collector's sight: otherwise every full collection walks them all again, which shows as a
    slow request now and then rather than as a slower average."""
    gc.collect()
    gc.freeze()
