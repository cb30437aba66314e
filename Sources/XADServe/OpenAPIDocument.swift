/// The API described for clients and tools, served at `GET /openapi.json` (OpenAPI 3.1,
/// written by hand; the tests check that it names every route of ``InspectionService/routes``).
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "XADKit inspection service",
        "version": "1.0.0",
        "description": "Score and explain images with a fitted XADKit anomaly detector (xad serve). Every route but /healthz needs 'Authorization: Bearer TOKEN' when the service was started with a token."
      },
      "components": {
        "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        "requestBodies": {
          "Image": {
            "required": true,
            "description": "A PNG, JPEG, TIFF or BMP image as the raw body, or the first file part of a multipart form.",
            "content": {
              "application/octet-stream": { "schema": { "type": "string", "format": "binary" } },
              "image/png": { "schema": { "type": "string", "format": "binary" } },
              "image/jpeg": { "schema": { "type": "string", "format": "binary" } },
              "multipart/form-data": { "schema": { "type": "object", "properties": { "image": { "type": "string", "format": "binary" } } } }
            }
          }
        },
        "schemas": {
          "Error": {
            "type": "object", "required": ["error"],
            "properties": { "error": { "type": "object", "required": ["status", "message"],
              "properties": { "status": { "type": "integer" }, "message": { "type": "string" } } } }
          },
          "Timings": {
            "type": "object",
            "properties": {
              "decodeMs": { "type": "number" }, "queueMs": { "type": "number" }, "computeMs": { "type": "number" },
              "encodeMs": { "type": "number" }, "totalMs": { "type": "number" },
              "batch": { "type": "integer", "description": "images scored in the same detector pass" }
            }
          },
          "Score": {
            "type": "object", "required": ["score", "width", "height", "timings"],
            "properties": {
              "score": { "type": "number", "description": "the raw anomaly score, as xad predict prints it" },
              "normalisedScore": { "type": ["number", "null"], "description": "0...1, 0.5 at the threshold" },
              "label": { "type": ["string", "null"], "enum": ["anomalous", "normal", null] },
              "threshold": { "type": ["number", "null"] },
              "width": { "type": "integer" }, "height": { "type": "integer" },
              "map": { "type": ["string", "null"], "description": "the anomaly map, gray PNG data URL" },
              "overlay": { "type": ["string", "null"], "description": "the map in colour over the image, PNG data URL" },
              "timings": { "$ref": "#/components/schemas/Timings" }
            }
          },
          "Explanation": {
            "type": "object", "required": ["method", "target", "targetValue", "map", "overlay", "timings"],
            "properties": {
              "method": { "type": "string" }, "target": { "type": "string" }, "targetValue": { "type": "number" },
              "map": { "type": "string", "description": "relevance map, gray PNG data URL (min-max scaled)" },
              "overlay": { "type": "string" },
              "images": { "type": "object", "additionalProperties": { "type": "string" } },
              "values": { "type": "object", "additionalProperties": { "type": "number" } },
              "options": { "type": "object", "additionalProperties": { "type": "string" } },
              "timings": { "$ref": "#/components/schemas/Timings" }
            }
          }
        },
        "responses": {
          "BadRequest": { "description": "a bad request: not an image, truncated image, bad option", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "Unauthorized": { "description": "a missing or wrong token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "TooLarge": { "description": "the body or the image is above the service's limits", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "Busy": { "description": "the queue is full or the request timed out; see Retry-After", "headers": { "Retry-After": { "schema": { "type": "integer" } } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        }
      },
      "security": [{ "bearer": [] }],
      "paths": {
        "/": { "get": { "summary": "the web page", "responses": { "200": { "description": "HTML", "content": { "text/html": {} } } } } },
        "/healthz": { "get": { "summary": "liveness", "security": [], "responses": { "200": { "description": "ok", "content": { "application/json": {} } } } } },
        "/metrics": { "get": { "summary": "Prometheus metrics", "responses": { "200": { "description": "text exposition format", "content": { "text/plain": {} } } } } },
        "/openapi.json": { "get": { "summary": "this document", "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": {} } } } } },
        "/v1/model": { "get": { "summary": "the served model", "responses": { "200": { "description": "detector, options, setup, threshold, training record, explainers and limits", "content": { "application/json": {} } }, "401": { "$ref": "#/components/responses/Unauthorized" } } } },
        "/v1/score": {
          "post": {
            "summary": "score an image",
            "parameters": [{ "name": "maps", "in": "query", "schema": { "type": "boolean", "default": true }, "description": "false leaves out the map and overlay" }],
            "requestBody": { "$ref": "#/components/requestBodies/Image" },
            "responses": {
              "200": { "description": "the score", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Score" } } } },
              "400": { "$ref": "#/components/responses/BadRequest" }, "401": { "$ref": "#/components/responses/Unauthorized" },
              "413": { "$ref": "#/components/responses/TooLarge" }, "415": { "$ref": "#/components/responses/BadRequest" },
              "422": { "$ref": "#/components/responses/BadRequest" }, "503": { "$ref": "#/components/responses/Busy" }
            }
          }
        },
        "/v1/explain": {
          "post": {
            "summary": "explain an image's score",
            "parameters": [
              { "name": "method", "in": "query", "required": true, "schema": { "type": "string" }, "description": "an explanation method (GET /v1/model lists them)" },
              { "name": "target", "in": "query", "schema": { "type": "string", "default": "image" }, "description": "image, topk:K or region:x1,y1,x2,y2" },
              { "name": "set", "in": "query", "schema": { "type": "array", "items": { "type": "string" } }, "style": "form", "explode": true, "description": "a method option, key=value" }
            ],
            "requestBody": { "$ref": "#/components/requestBodies/Image" },
            "responses": {
              "200": { "description": "the explanation", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Explanation" } } } },
              "400": { "$ref": "#/components/responses/BadRequest" }, "401": { "$ref": "#/components/responses/Unauthorized" },
              "413": { "$ref": "#/components/responses/TooLarge" }, "415": { "$ref": "#/components/responses/BadRequest" },
              "422": { "$ref": "#/components/responses/BadRequest" }, "503": { "$ref": "#/components/responses/Busy" }
            }
          }
        }
      }
    }
    """#
}
