package io.treestore.index;

/**
 * Turns records into the bytes stored in a table's primary keyspace and back.
 *
 * <p>Implementations must be thread-safe and deterministic ({@code decode(encode(r))} equals
 * {@code r}), since indexes are recomputed from decoded records when a record is replaced,
 * deleted or checked.
 *
 * @param <R> the record type
 */
public interface RecordCodec<R> {
  /**
   * Encodes a record.
   *
   * @param record the record
   * @return its bytes, at most 1 GiB
   * @throws IllegalArgumentException if the record cannot be encoded
   */
  byte[] encode(R record);

  /**
   * Decodes a record.
   *
   * <p>{@link Table}'s point reads pass the stored array itself, shared with the database's
   * cache and with other readers ({@link io.treestore.txn.ReadView#getShared}): a codec must
   * not modify it. It never changes, so an immutable record may refer to it.
   *
   * @param bytes bytes made by {@link #encode}; read-only
   * @return the record
   * @throws IllegalArgumentException if the bytes are malformed (a corrupt or foreign record)
   */
  R decode(byte[] bytes);

  /**
   * Returns the identity codec for raw byte records (arrays are copied).
   *
   * @return the codec
   */
  static RecordCodec<byte[]> bytes() {
    return new RecordCodec<>() {
      @Override
      public byte[] encode(byte[] record) {
        return record.clone();
      }

      @Override
      public byte[] decode(byte[] bytes) {
        return bytes.clone();
      }
    };
  }

  /**
   * Returns a codec that stores records as encoded tuples. Decoding does not copy the array
   * it is given: the decoded tuple's long strings ({@link Utf8Text}) refer to it, so callers
   * must not change the array afterwards ({@link Table} passes arrays that never change).
   *
   * @return the codec; decoding throws {@link TupleFormatException} on malformed bytes
   */
  static RecordCodec<Tuple> tuple() {
    return new RecordCodec<>() {
      @Override
      public byte[] encode(Tuple record) {
        return record.encode();
      }

      @Override
      public Tuple decode(byte[] bytes) {
        return Tuple.decodeOwned(bytes);
      }
    };
  }
}
