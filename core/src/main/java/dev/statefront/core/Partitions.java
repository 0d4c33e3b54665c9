package dev.statefront.core;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.utils.Utils;

/**
 * The one rule that maps a view key to its partition, shared by the processor (which writes each change to
 * the partition of its key) and the gateway (which routes reads). A single VARCHAR key hashes like Kafka's
 * default producer partitioner hashes a string record key, so a source keyed by that column needs no
 * repartitioning; any other key hashes its {@link KeyCodec} encoding.
 */
public final class Partitions {
    private Partitions() {
    }

    /** The partition of a view key among {@code numPartitions}. */
    public static int forKey(List<ColumnType> keyTypes, Object[] key, int numPartitions) {
        return forKeyBytes(hashBytes(keyTypes, key), numPartitions);
    }

    /** The bytes whose murmur2 hash places a key: UTF-8 of a single VARCHAR, else the key encoding. */
    public static byte[] hashBytes(List<ColumnType> keyTypes, Object[] key) {
        if (keyTypes.size() == 1 && keyTypes.get(0).kind() == ColumnType.Kind.VARCHAR && key[0] != null) {
            return ((String) key[0]).getBytes(StandardCharsets.UTF_8);
        }
        return KeyCodec.encode(keyTypes, key);
    }

    /** Kafka's default: {@code toPositive(murmur2(bytes)) % numPartitions}. */
    public static int forKeyBytes(byte[] bytes, int numPartitions) {
        return Utils.toPositive(Utils.murmur2(bytes)) % numPartitions;
    }
}
