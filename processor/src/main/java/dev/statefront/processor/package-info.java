/** The processor role: SQL views kept up to date from Kafka sources, exactly once. */
package dev.statefront.processor;
