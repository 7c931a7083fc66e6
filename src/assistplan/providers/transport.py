"""The transport under the providers' `httpx` clients: TLS is set up on the first https:// request, not before.

httpx's default transport loads the CA bundle when its client is made, whatever the URLs it will be asked for, and
that costs more CPU than a no-op plan's requests to an API over plain HTTP (the embedded sandbox, a local server).
`LazyTLSTransport` sends http:// requests through a connection pool whose TLS context holds no certificate (it is
never used for plain HTTP, and would trust nothing if it were), and makes the verified pool, the one httpx would have
made, on the first https:// request (an https:// base URL, or a redirect to one).
"""

from __future__ import annotations

import ssl
import threading

import httpx


class LazyTLSTransport(httpx.BaseTransport):
    """httpx's default transport (with `limits`, if given), its verified TLS context made on first use."""

    def __init__(self, limits: httpx.Limits | None = None) -> None:
        self._limits = limits
        self._lock = threading.Lock()
        self._plain: httpx.HTTPTransport | None = None
        self._verified: httpx.HTTPTransport | None = None

    def transport_for(self, url: httpx.URL) -> httpx.HTTPTransport:
        """The connection pool that serves `url`, made on the first request of its scheme."""
        with self._lock:
            if url.scheme == "https":
                if self._verified is None:
                    self._verified = self._pool(verify=True)
                return self._verified
            if self._plain is None:
                self._plain = self._pool(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
            return self._plain

    def _pool(self, verify: ssl.SSLContext | bool) -> httpx.HTTPTransport:
        if self._limits is None:
            return httpx.HTTPTransport(verify=verify)
        return httpx.HTTPTransport(verify=verify, limits=self._limits)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.transport_for(request.url).handle_request(request)

    def close(self) -> None:
        with self._lock:
            made = [pool for pool in (self._plain, self._verified) if pool is not None]
            self._plain = self._verified = None
        for pool in made:
            pool.close()
