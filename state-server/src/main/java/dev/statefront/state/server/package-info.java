/** The state server: lifecycle, configuration and the transport-neutral read API over materialized views. */
package dev.statefront.state.server;
