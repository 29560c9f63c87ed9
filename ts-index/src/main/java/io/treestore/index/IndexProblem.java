package io.treestore.index;

import java.util.HexFormat;

/**
 * One inconsistency found by {@link Table#check}: a record whose index entry is missing or
 * wrong, an index entry whose record is missing or no longer produces it, or bytes that do
 * not decode.
 *
 * @param keyspace the keyspace holding the bad or missing entry
 * @param key the stored key (hex in {@link #toString()}) of the bad or missing entry
 * @param description what is wrong, naming the record's primary key where known
 */
public record IndexProblem(String keyspace, byte[] key, String description) {
  /**
   * Copies the key.
   *
   * @throws NullPointerException if an argument is null
   */
  public IndexProblem {
    key = key.clone();
  }

  /**
   * Returns a copy of the key.
   *
   * @return the stored key
   */
  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public String toString() {
    return keyspace + " key " + HexFormat.of().formatHex(key) + ": " + description;
  }
}
