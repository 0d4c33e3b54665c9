/** RocksDB working state of processor tasks; the only processor package that imports org.rocksdb. */
package dev.statefront.processor.state;
