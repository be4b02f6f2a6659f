"""The app the benchmark's gunicorn serves: sellerkit's web app, instrumented from outside (see instrument)."""
from benchmarks import instrument
from sellerkit.app import create_web_app


def create_instrumented_app():
    """`gunicorn 'benchmarks.webapp:create_instrumented_app()'`: the production web app, plus the SQL counting and
    the floor and last-SQL pages that only the benchmark asks for."""
    app = create_web_app()
    instrument.install(app)
    return app
