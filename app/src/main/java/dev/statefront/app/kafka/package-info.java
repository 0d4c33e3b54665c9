/** A real single-node KRaft Kafka broker run inside the Statefront process. */
package dev.statefront.app.kafka;
