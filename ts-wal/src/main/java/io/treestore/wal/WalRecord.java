package io.treestore.wal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One record of the log, as returned by {@link WalReader}.
 *
 * <p>The payload array is the reader's own copy and is not copied again by the accessor: the
 * caller may keep or modify it. {@link #equals}, {@link #hashCode} and {@link #toString}
 * compare and show the payload's content, not its identity.
 *
 * @param lsn the log sequence number: the record's position in the log, {@code >= 1}; records
 *     are numbered 1, 2, 3 ... without gaps
 * @param type the caller's record type, in [{@link Wal#MIN_TYPE}, {@link Wal#MAX_TYPE}]
 * @param payload the caller's bytes, at most {@link Wal#MAX_PAYLOAD_BYTES} long
 */
public record WalRecord(long lsn, byte type, byte[] payload) {
  /**
   * Compares LSN, type and payload content.
   *
   * @param o another object
   * @return whether {@code o} is a record with equal LSN, type and payload bytes
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof WalRecord r && r.lsn == lsn && r.type == type
        && Arrays.equals(r.payload, payload);
  }

  /**
   * Hashes LSN, type and payload content.
   *
   * @return a hash code consistent with {@link #equals}
   */
  @Override
  public int hashCode() {
    return (Long.hashCode(lsn) * 31 + type) * 31 + Arrays.hashCode(payload);
  }

  /**
   * Describes the record without its payload bytes.
   *
   * @return e.g. {@code WalRecord[lsn=7, type=1, payload=120 bytes]}
   */
  @Override
  public String toString() {
    return "WalRecord[lsn=" + lsn + ", type=" + type + ", payload=" + payload.length + " bytes]";
  }
}
