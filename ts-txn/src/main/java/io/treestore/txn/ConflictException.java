package io.treestore.txn;

import java.util.HexFormat;

/**
 * A commit lost to a concurrent transaction (first committer wins) and was rolled back; no
 * write of it is visible. Retrying the whole transaction usually succeeds: see
 * {@link Database#inTransaction}.
 */
public class ConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String keyspace;
  private final byte[] key;

  /**
   * Creates the exception.
   *
   * @param keyspace the keyspace of the conflicting key
   * @param key the conflicting key (copied)
   * @param what what conflicted, e.g. "written by a transaction that committed at LSN 42"
   */
  public ConflictException(String keyspace, byte[] key, String what) {
    super("conflict on key " + HexFormat.of().formatHex(key) + " in keyspace '" + keyspace
        + "': " + what);
    this.keyspace = keyspace;
    this.key = key.clone();
  }

  /**
   * Returns the keyspace of the conflicting key.
   *
   * @return the keyspace name
   */
  public String keyspace() {
    return keyspace;
  }

  /**
   * Returns the conflicting key (for a scanned range, the key written inside the range).
   *
   * @return a copy of the key
   */
  public byte[] key() {
    return key.clone();
  }
}
