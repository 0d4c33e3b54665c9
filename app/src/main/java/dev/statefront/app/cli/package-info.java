/** The command-line client: {@code statefront views|describe|get|scan} over the gateway's gRPC API. */
package dev.statefront.app.cli;
