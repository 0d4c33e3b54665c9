/** The shared vocabulary of Statefront: column types, schemas, rows, key encoding, change events, positions. */
package dev.statefront.core;
