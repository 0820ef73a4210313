"""The FastAPI application: pages, static files from the package, the API and its errors.

``create_app()`` builds a fresh app (``dojosim serve`` runs one with uvicorn).
Bad input answers 422 with ``{"error", "field", "file", "detail"}`` (the CLI's
line in ``error``); an unknown entry 404 in the same shape; a body over
:data:`MAX_BODY` bytes 413. A bug answers 500 without a traceback and is logged.
Swagger's page is not served (it loads scripts from a CDN); the schema is at
``/openapi.json``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from dojosim.errors import DojosimError
from dojosim.web.inputs import error_body, validation_body

log = logging.getLogger("dojosim.web")

STATIC = Path(__file__).resolve().parent / "static"

#: Largest request body accepted, bytes.
MAX_BODY = 1_000_000


def _static_files() -> dict[str, tuple[Path, str]]:
    """Name -> (file, media type) of everything under ``/static/``: a fixed list, no paths."""
    from dojosim.report.html import ASSETS, plotly_js_path

    files = {"plotly.min.js": (plotly_js_path(), "text/javascript")}
    files["style.css"] = (ASSETS / "style.css", "text/css")
    for p in STATIC.glob("*.js"):
        files[p.name] = (p, "text/javascript")
    return files


def _json_error(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(status_code=status, content=body)


class LimitBody:
    """Refuse request bodies over ``limit`` bytes with 413 (a plain ASGI middleware: cheap)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = {"error": f"request body larger than {self.limit:,} bytes", "field": None}
        for key, value in scope.get("headers", []):
            if key == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await _json_error(413, too_big)(scope, receive, send)
                return
        seen = 0

        async def counted() -> Any:  # a body sent without a length is counted as it comes
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise StarletteHTTPException(413, too_big["error"])
            return message

        await self.app(scope, counted, send)


def create_app() -> FastAPI:
    """A new web app (its own job pool and caches of pure results)."""
    from dojosim import __version__
    from dojosim.web import pages
    from dojosim.web.api import NotFound, router
    from dojosim.web.jobs import JobRunner

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.jobs.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="dojosim",
        version=__version__,
        description="A digital twin of AI training systems: step time, memory, cost, orbit.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.jobs = JobRunner()

    app.add_middleware(LimitBody, limit=MAX_BODY)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return _json_error(404, error_body(exc))

    @app.exception_handler(DojosimError)
    async def bad_input(request: Request, exc: DojosimError) -> JSONResponse:
        return _json_error(422, error_body(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _json_error(422, validation_body(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _json_error(exc.status_code, {"error": str(exc.detail), "field": None})

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return _json_error(500, {"error": f"internal error ({type(exc).__name__})", "field": None})

    app.include_router(router)
    static = functools.cache(_static_files)

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> Response:
        found = static().get(name)
        if found is None:
            return _json_error(404, {"error": f"no static file {name!r}", "field": "name"})
        path, media = found
        return FileResponse(path, media_type=media, headers={"Cache-Control": "max-age=3600"})

    for path, pid, _ in pages.PAGES:
        _add_page(app, path, pid)
    app.get("/estimate", include_in_schema=False)(_page_handler("estimate"))

    return app


def _page_handler(page: str) -> Any:
    from dojosim.web import pages

    def handler() -> HTMLResponse:
        return HTMLResponse(pages.RENDER[page]())

    handler.__name__ = f"page_{page}"
    return handler


def _add_page(app: FastAPI, path: str, page: str) -> None:
    app.get(path, include_in_schema=False, response_class=HTMLResponse)(_page_handler(page))
