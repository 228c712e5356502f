"""A faithful local Intercom REST API (companies, data attributes) for tests, demos and benchmarks.

Built on Starlette, served by uvicorn: a small ASGI app with no framework weight, and the same app
runs over real HTTP (`serve`, `testing.running_emulator`) and in-process through
`httpx.ASGITransport` (`testing.asgi_transport`) where tests need speed. Behaviour follows the
official 2.16 OpenAPI description and NOTES.md (both in the repository's docs/intercom/); where
they are silent, the choice is documented next to the code that makes it.

    emulator = Emulator(EmulatorConfig(rate_limit=5, window_s=1))
    app = create_app(emulator)
"""

from __future__ import annotations

from hoist.emulator.config import EmulatorConfig
from hoist.emulator.emulator import Emulator, RecordedRequest
from hoist.emulator.intercom_routes import create_app
from hoist.emulator.uvicorn_server import serve

__all__ = ["Emulator", "EmulatorConfig", "RecordedRequest", "create_app", "serve"]
