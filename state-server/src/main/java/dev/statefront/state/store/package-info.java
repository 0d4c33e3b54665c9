/** RocksDB storage of view replicas: one column family per view plus a meta column family; the only package importing {@code org.rocksdb}. */
package dev.statefront.state.store;
