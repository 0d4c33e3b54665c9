/** PostgreSQL change data capture: Debezium's embedded engine writing Debezium JSON into table topics. */
package dev.statefront.ingest.cdc;
