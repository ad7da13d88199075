"""The centre's OpenAPI description: FastAPI's generated one, with the batch's request body
(parsed by hand in central/app.py, so FastAPI cannot see it) and the error replies every
station request may get."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from ektp_station.sync.protocol import BatchRequest, ErrorReply

__all__ = ["ERROR_RESPONSES", "install_openapi", "request_body_openapi"]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorReply, "description": text}
    for code, text in {
        400: "Malformed JSON or not the BatchRequest schema",
        401: "Missing or unknown bearer token",
        403: "Token valid, but station_id is not the token's station",
        408: "The request body did not arrive within its deadline",
        413: "Body larger than MAX_BODY_BYTES",
        415: "Content-Type is not application/json",
        429: "This station already has a batch in flight, or this client address failed to "
        "authenticate too often (Retry-After)",
        503: "Server overloaded, draining or its database unavailable (Retry-After)",
    }.items()
}


def request_body_openapi() -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}
            },
        }
    }


def install_openapi(app: FastAPI) -> None:
    """FastAPI's generated description, plus BatchRequest (the body is parsed by hand)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        request_schema = BatchRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in request_schema.pop("$defs", {}).items():
            schemas.setdefault(name, sub)
        schemas["BatchRequest"] = request_schema
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
