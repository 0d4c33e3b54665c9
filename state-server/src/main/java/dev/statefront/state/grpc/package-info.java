/** The state server's internal gRPC face: {@code ReplicaService}, through which gateways read the replica. */
package dev.statefront.state.grpc;
