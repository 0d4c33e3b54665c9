/** The SQL front end: parses a script of sources and views and plans each view with Apache Calcite. */
package dev.statefront.processor.sql;
