package io.treestore.btree;

/**
 * A key and its value, as returned by scans. The arrays are copies owned by the caller.
 * Equality is that of records (array identity); compare contents with
 * {@link java.util.Arrays#equals(byte[], byte[])}.
 *
 * @param key the key
 * @param value the value
 */
public record Entry(byte[] key, byte[] value) {}
