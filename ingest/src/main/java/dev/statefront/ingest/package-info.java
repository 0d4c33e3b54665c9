/** Getting data into source topics: validated JSON events produced with an idempotent producer. */
package dev.statefront.ingest;
