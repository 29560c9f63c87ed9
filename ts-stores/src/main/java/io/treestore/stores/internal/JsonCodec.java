package io.treestore.stores.internal;

import io.treestore.index.RecordCodec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores records as UTF-8 JSON with Jackson (fields by record component name).
 *
 * @param <T> the record type
 */
public final class JsonCodec<T> implements RecordCodec<T> {
  /** The mapper all stores share; thread-safe. */
  public static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Class<T> type;

  /**
   * Creates a codec.
   *
   * @param type the record class
   */
  public JsonCodec(Class<T> type) {
    this.type = type;
  }

  @Override
  public byte[] encode(T record) {
    return JSON.writeValueAsBytes(record);
  }

  @Override
  public T decode(byte[] bytes) {
    try {
      return JSON.readValue(bytes, type);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("stored " + type.getSimpleName()
          + " does not decode: " + e.getOriginalMessage(), e);
    }
  }
}
