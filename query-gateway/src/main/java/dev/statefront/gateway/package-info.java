/** The query gateway: configuration and lifecycle of the public REST endpoint. */
package dev.statefront.gateway;
