/** Routing of view keys to partitions and of partitions to the state-server replicas serving them; scan fan-out and merge. */
package dev.statefront.gateway.routing;
