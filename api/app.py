"""The FastAPI app factory: `uvicorn --factory api.app:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import CapacityLimiter
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from api import errors
from api.headers import SecurityHeaders
from api.limits import BodyLimit
from api.routes import ask, documents, health
from api.state import Service
from qa.blas import one_blas_thread
from qa.settings import Settings

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # numpy's BLAS (spaCy's matrix products) on one thread: its idle threads spin, and took
    # the cores from the model and from other processes' work (qa.blas). Set here, on the
    # thread that creates the app: OpenBLAS ignores a change from another thread once the
    # main thread has set a count.
    one_blas_thread()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = Service.load(settings)
        # Questions take turns, a few at a time (deps.AskTurns).
        app.state.ask_turns = CapacityLimiter(settings.ask_threads)
        yield

    # FastAPIOffline serves the /docs assets itself: there is no CDN to fetch them from.
    app = FastAPIOffline(
        title="News QA",
        summary="Answers from news articles as verbatim quotes with exact citations.",
        version="0.1.0",
        lifespan=lifespan,
    )
    errors.install(app)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # closed unless configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    for router in (ask.router, documents.router, health.router):
        app.include_router(router, responses=errors.ERROR_RESPONSES)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
