/**
 * The one query path below the transports: validation, key decoding, routing, merging and position waits, shared
 * by the REST and gRPC edges, which only translate requests in and answers and {@link
 * dev.statefront.gateway.query.QueryException}s out.
 */
package dev.statefront.gateway.query;
