"""`LazyTLSTransport`: plain HTTP without the CA bundle, https:// verified as by httpx's default transport.

The TLS context of a pool is read from httpcore's connection pool (`_ssl_context`): nothing public shows it, and no
request over TLS can be made here without a certificate authority of the test's own.
"""

from __future__ import annotations

import ssl

import httpx

from assistplan.providers.transport import LazyTLSTransport


def tls_context(pool: httpx.HTTPTransport) -> ssl.SSLContext:
    context = pool._pool._ssl_context
    assert context is not None
    return context


def test_plain_http_goes_through_a_pool_that_trusts_no_certificate() -> None:
    transport = LazyTLSTransport()
    context = tls_context(transport.transport_for(httpx.URL("http://127.0.0.1:9/v1/agents")))
    assert context.cert_store_stats()["x509_ca"] == 0
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_https_goes_through_a_pool_that_verifies_against_the_ca_bundle() -> None:
    transport = LazyTLSTransport()
    context = tls_context(transport.transport_for(httpx.URL("https://api.example.com/v1/agents")))
    assert context.cert_store_stats()["x509_ca"] > 0
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_each_scheme_keeps_one_pool() -> None:
    transport = LazyTLSTransport()
    plain = transport.transport_for(httpx.URL("http://127.0.0.1:9/a"))
    verified = transport.transport_for(httpx.URL("https://api.example.com/a"))
    assert transport.transport_for(httpx.URL("http://127.0.0.1:9/b")) is plain
    assert transport.transport_for(httpx.URL("https://api.example.com/b")) is verified
    assert plain is not verified
