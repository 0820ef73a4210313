"""The web app: FastAPI pages and a JSON API over the library (``dojosim serve``).

Pages: Estimate, Compare, Site & cost, Orbit, Validate, Catalog. API: ``POST
/api/estimate`` (the ``dojosim estimate --json`` document), ``POST /api/site``,
``GET /api/orbit``, ``GET /api/catalog/{kind}[/{name}]``, ``GET /api/validate``,
the pages' views (``POST /api/views/{view}``) and long work as jobs with progress
(``POST /api/jobs/{view}``, ``GET /api/jobs/{id}``); the schema at ``/openapi.json``.

Every request names catalog entries and built-in scenarios only: the library
refuses path-like names (:func:`dojosim.catalog.check_name`) and the app never
hands a request's string to a function that opens files. Bad input is a 422 whose
JSON names the field in the CLI's words. JavaScript and CSS ship in the package.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from dojosim.web.app import create_app

        return create_app
    raise AttributeError(f"module 'dojosim.web' has no attribute {name!r}")
