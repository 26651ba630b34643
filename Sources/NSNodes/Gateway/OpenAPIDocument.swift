/// The gateway's OpenAPI 3.1 description, served at `GET /openapi.json` and committed as
/// `docs/openapi.json` (a test checks that both match each other and the router's routes).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "NeuroSwarm gateway",
    "version": "1",
    "description": "Submit text artifacts to be sanitised, processed and anchored in the NeuroSwarm ledger, and follow them to their block. Every /api route needs an HS256 bearer token (JWT) with exp and sub; every /api response carries RateLimit-* headers; every error is RFC 9457 problem details."
  },
  "servers": [{ "url": "http://localhost:8080" }],
  "security": [{ "bearer": [] }],
  "paths": {
    "/api/submit": {
      "post": {
        "operationId": "submit",
        "summary": "Submit one artifact",
        "parameters": [{ "$ref": "#/components/parameters/IdempotencyKey" }, { "$ref": "#/components/parameters/RequestID" }],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Submission" } } } },
        "responses": {
          "202": {
            "description": "Durably queued. A replay of an Idempotency-Key within 24 h returns the first answer with Idempotent-Replayed: true.",
            "headers": {
              "Location": { "schema": { "type": "string" } },
              "Idempotent-Replayed": { "schema": { "type": "string", "const": "true" } },
              "RateLimit-Limit": { "$ref": "#/components/headers/RateLimit-Limit" },
              "RateLimit-Remaining": { "$ref": "#/components/headers/RateLimit-Remaining" },
              "RateLimit-Reset": { "$ref": "#/components/headers/RateLimit-Reset" }
            },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Receipt" } } }
          },
          "400": { "$ref": "#/components/responses/BadRequest" },
          "401": { "$ref": "#/components/responses/Unauthorized" },
          "409": { "$ref": "#/components/responses/Conflict" },
          "413": { "$ref": "#/components/responses/TooLarge" },
          "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
          "422": { "$ref": "#/components/responses/Invalid" },
          "429": { "$ref": "#/components/responses/RateLimited" },
          "503": { "$ref": "#/components/responses/Unavailable" }
        }
      }
    },
    "/api/submit-batch": {
      "post": {
        "operationId": "submitBatch",
        "summary": "Submit up to MAX_BATCH_ITEMS artifacts, all or nothing",
        "description": "With Idempotency-Key, a replay of the same key within 24 h returns, for each position, the job that position got the first time, and enqueues nothing new.",
        "parameters": [{ "$ref": "#/components/parameters/IdempotencyKey" }, { "$ref": "#/components/parameters/RequestID" }],
        "requestBody": {
          "required": true,
          "content": { "application/json": { "schema": {
            "type": "object", "additionalProperties": false, "required": ["items"],
            "properties": { "items": { "type": "array", "minItems": 1, "maxItems": 100, "items": { "$ref": "#/components/schemas/Submission" } } }
          } } }
        },
        "responses": {
          "202": {
            "description": "Every item durably queued; ids in the order of the items.",
            "headers": {
              "RateLimit-Limit": { "$ref": "#/components/headers/RateLimit-Limit" },
              "RateLimit-Remaining": { "$ref": "#/components/headers/RateLimit-Remaining" },
              "RateLimit-Reset": { "$ref": "#/components/headers/RateLimit-Reset" }
            },
            "content": { "application/json": { "schema": {
              "type": "object", "required": ["items"],
              "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Receipt" } } }
            } } }
          },
          "400": { "$ref": "#/components/responses/BadRequest" },
          "401": { "$ref": "#/components/responses/Unauthorized" },
          "413": { "$ref": "#/components/responses/TooLarge" },
          "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
          "422": { "$ref": "#/components/responses/Invalid" },
          "429": { "$ref": "#/components/responses/RateLimited" },
          "503": { "$ref": "#/components/responses/Unavailable" }
        }
      }
    },
    "/api/status/{id}": {
      "get": {
        "operationId": "status",
        "summary": "A submission's state; once committed, its transaction, block height and proof link",
        "description": "Once JOB_RETENTION_MS has passed since a job finished, the queue no longer holds it: a completed job is then answered from its ledger transaction (LedgerStatus), and 503 means ns-node could not say whether the job exists.",
        "parameters": [{ "$ref": "#/components/parameters/JobID" }, { "$ref": "#/components/parameters/RequestID" }],
        "responses": {
          "200": {
            "description": "The job as the queue and the ledger know it, or as only the ledger does after retention.",
            "headers": {
              "RateLimit-Limit": { "$ref": "#/components/headers/RateLimit-Limit" },
              "RateLimit-Remaining": { "$ref": "#/components/headers/RateLimit-Remaining" },
              "RateLimit-Reset": { "$ref": "#/components/headers/RateLimit-Reset" }
            },
            "content": { "application/json": { "schema": { "anyOf": [{ "$ref": "#/components/schemas/Status" }, { "$ref": "#/components/schemas/LedgerStatus" }] } } }
          },
          "401": { "$ref": "#/components/responses/Unauthorized" },
          "403": { "$ref": "#/components/responses/Forbidden" },
          "404": { "$ref": "#/components/responses/NotFound" },
          "429": { "$ref": "#/components/responses/RateLimited" },
          "503": { "$ref": "#/components/responses/Unavailable" }
        }
      }
    },
    "/api/status/{id}/proof": {
      "get": {
        "operationId": "proof",
        "summary": "The inclusion proof of a committed submission's transaction (RFC 6962), from ns-node",
        "parameters": [{ "$ref": "#/components/parameters/JobID" }, { "$ref": "#/components/parameters/RequestID" }],
        "responses": {
          "200": {
            "description": "leafIndex, treeSize, rootHash, the audit path and the signed checkpoint it verifies against.",
            "content": { "application/json": { "schema": { "type": "object", "required": ["leafIndex", "treeSize", "rootHash"] } } }
          },
          "401": { "$ref": "#/components/responses/Unauthorized" },
          "403": { "$ref": "#/components/responses/Forbidden" },
          "404": { "$ref": "#/components/responses/NotFound" },
          "429": { "$ref": "#/components/responses/RateLimited" },
          "503": { "$ref": "#/components/responses/Unavailable" }
        }
      }
    },
    "/openapi.json": {
      "get": { "operationId": "openapi", "summary": "This document", "security": [], "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": {} } } } }
    },
    "/health": {
      "get": {
        "operationId": "health", "summary": "Liveness and dependency checks (ns-node, queue, Redis)", "security": [],
        "responses": {
          "200": { "description": "Healthy", "content": { "application/json": { "schema": { "type": "object" } } } },
          "503": { "description": "A dependency failed; Retry-After is set", "content": { "application/json": { "schema": { "type": "object" } } } }
        }
      }
    },
    "/metrics": {
      "get": { "operationId": "metrics", "summary": "Prometheus metrics", "security": [], "responses": { "200": { "description": "Prometheus text format", "content": { "text/plain": {} } } } }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "HS256 with JWT_SECRET (or JWT_SECRET_PREVIOUS during a rotation, chosen by kid); a crit header is refused. exp is required; nbf and iat are honoured with 60 s leeway; exp - iat (without iat: exp - now) is at most JWT_MAX_TTL (default 30 days); sub is the user, 1 to 256 characters as the ledger requires; role, when present, is viewer, operator or admin, and admin sees every job." }
    },
    "parameters": {
      "IdempotencyKey": { "name": "Idempotency-Key", "in": "header", "required": false, "description": "1 to 255 visible ASCII characters. The same key from the same user within 24 h returns the original answer and enqueues nothing; with a different body it is 409.", "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$" } },
      "RequestID": { "name": "X-Request-ID", "in": "header", "required": false, "description": "Correlation id, echoed in the response and in every log line; generated when absent or invalid.", "schema": { "type": "string" } },
      "JobID": { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "maxLength": 128 } }
    },
    "headers": {
      "RateLimit-Limit": { "description": "Requests allowed per window (RATE_LIMIT_MAX_REQUESTS).", "schema": { "type": "integer" } },
      "RateLimit-Remaining": { "description": "Requests left in the current window (the tighter of the address and user limits).", "schema": { "type": "integer" } },
      "RateLimit-Reset": { "description": "Seconds until the window resets.", "schema": { "type": "integer" } },
      "Retry-After": { "description": "Seconds to wait before retrying.", "schema": { "type": "integer" } },
      "WWW-Authenticate": { "description": "Bearer challenge (RFC 6750).", "schema": { "type": "string" } }
    },
    "schemas": {
      "Submission": {
        "type": "object", "additionalProperties": false, "required": ["content"],
        "properties": {
          "content": { "type": "string", "minLength": 1, "maxLength": 10000, "description": "1 to MAX_ARTIFACT_CHARS Unicode characters." },
          "metadata": {
            "type": ["object", "null"], "maxProperties": 32, "description": "At most 16,384 bytes as JSON in all; null is the same as no metadata.",
            "propertyNames": { "pattern": "^[A-Za-z0-9_.-]{1,64}$" },
            "additionalProperties": { "oneOf": [{ "type": "string", "maxLength": 1024 }, { "type": "integer", "minimum": -9007199254740991, "maximum": 9007199254740991, "description": "Written as an integer literal: 2.0 and 2e0 are refused (canonical JSON has no floating point)." }, { "type": "boolean" }] }
          },
          "priority": { "type": "string", "enum": ["critical", "high", "normal", "low"], "default": "normal" }
        }
      },
      "Receipt": {
        "type": "object", "required": ["id", "status", "statusUrl"],
        "properties": { "id": { "type": "string" }, "status": { "type": "string", "const": "queued" }, "statusUrl": { "type": "string" } }
      },
      "Status": {
        "type": "object", "required": ["id", "state", "priority", "attempts", "maxAttempts", "createdAt", "updatedAt"],
        "properties": {
          "id": { "type": "string" },
          "state": { "type": "string", "enum": ["queued", "processing", "retry", "completed", "dead_letter", "cancelled"] },
          "priority": { "type": "string", "enum": ["critical", "high", "normal", "low"] },
          "attempts": { "type": "integer" },
          "maxAttempts": { "type": "integer" },
          "createdAt": { "type": "string", "format": "date-time" },
          "updatedAt": { "type": "string", "format": "date-time" },
          "nextAttemptAt": { "type": "string", "format": "date-time" },
          "lastError": { "type": "object", "properties": { "time": { "type": "string", "format": "date-time" }, "message": { "type": "string" } } },
          "txHash": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
          "ledger": { "$ref": "#/components/schemas/LedgerFacts" }
        }
      },
      "LedgerStatus": {
        "type": "object", "additionalProperties": false, "required": ["id", "state", "txHash", "ledger"],
        "description": "A completed job whose queue record retention has deleted, as its ledger transaction tells it.",
        "properties": {
          "id": { "type": "string" },
          "state": { "type": "string", "const": "completed" },
          "txHash": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
          "ledger": { "$ref": "#/components/schemas/LedgerFacts" }
        }
      },
      "LedgerFacts": {
        "type": "object", "required": ["status"],
        "properties": {
          "status": { "type": "string", "enum": ["pending", "committed", "unknown"] },
          "blockHeight": { "type": "integer" },
          "leafIndex": { "type": "integer" },
          "proofUrl": { "type": "string" },
          "detail": { "type": "string" }
        }
      },
      "Problem": {
        "type": "object", "required": ["type", "title", "status"],
        "properties": {
          "type": { "type": "string", "format": "uri" },
          "title": { "type": "string" },
          "status": { "type": "integer" },
          "detail": { "type": "string" },
          "instance": { "type": "string" },
          "correlationId": { "type": "string" },
          "errors": { "type": "array", "items": { "type": "object", "required": ["pointer", "detail"], "properties": { "pointer": { "type": "string", "description": "JSON pointer (RFC 6901) to the failing field" }, "detail": { "type": "string" } } } }
        }
      }
    },
    "responses": {
      "BadRequest": { "description": "A malformed header or parameter.", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
      "Unauthorized": { "description": "Missing, malformed, unsigned, wrongly signed, expired or exp-less token, or claims that break a rule (lifetime over JWT_MAX_TTL, sub over 256 characters, unknown role, crit header); detail names the reason.", "headers": { "WWW-Authenticate": { "$ref": "#/components/headers/WWW-Authenticate" } }, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
      "Forbidden": { "description": "The submission belongs to another user.", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
      "NotFound": { "description": "No such submission in the queue or the ledger, or no proof yet.", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
      "Conflict": { "description": "The Idempotency-Key was used for a different submission.", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
      "TooLarge": { "description": "The body is over MAX_BODY_BYTES (MAX_BATCH_BODY_BYTES for a batch).", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
      "UnsupportedMediaType": { "description": "Content-Type is not application/json (with at most charset=utf-8); look-alikes such as application/jsonp, application/json5 and application/json-patch+json are refused.", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
      "Invalid": { "description": "Invalid JSON or fields; errors lists each with a JSON pointer. Nothing was enqueued.", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
      "RateLimited": { "description": "Over the rate limit.", "headers": { "Retry-After": { "$ref": "#/components/headers/Retry-After" } }, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
      "Unavailable": { "description": "The queue or ns-node is unavailable.", "headers": { "Retry-After": { "$ref": "#/components/headers/Retry-After" } }, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
    }
  }
}

"""#
}
