/** Change streams over HTTP: {@code GET /v1/views/{view}/changes} as Server-Sent Events or NDJSON. */
package dev.statefront.gateway.changes;
