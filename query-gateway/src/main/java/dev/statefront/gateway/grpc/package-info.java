/** The gateway's public gRPC face ({@code statefront.v1}): translation to and from the shared query path. */
package dev.statefront.gateway.grpc;
