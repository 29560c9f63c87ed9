package io.treestore.examples.audit;

import io.treestore.examples.audit.AuditApi.AuditEvent;
import io.treestore.index.RecordCodec;
import io.treestore.index.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Stores an {@link AuditEvent} as an encoded {@link Tuple}, so the plugin needs no JSON
 * library: {@code (1, id, actor, action, docId|null, nodeId|null, (key, value, ...),
 * timestamp)}, the leading 1 being the format version. Details are written in ascending key
 * order, so encoding is deterministic. Thread-safe.
 */
final class AuditEventCodec implements RecordCodec<AuditEvent> {
  private static final long FORMAT = 1;
  private static final int FIELDS = 8;

  @Override
  public byte[] encode(AuditEvent e) {
    List<Object> details = new ArrayList<>();
    e.details().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(d -> {
      details.add(d.getKey());
      details.add(d.getValue());
    });
    return Tuple.of(FORMAT, e.id(), e.actor(), e.action(), e.docId(), e.nodeId(),
        Tuple.fromList(details), e.timestamp()).encode();
  }

  @Override
  public AuditEvent decode(byte[] bytes) {
    Tuple t = Tuple.decode(bytes);
    if (t.size() != FIELDS || t.type(0) != Tuple.Type.INT64 || t.getLong(0) != FORMAT) {
      throw new IllegalArgumentException("stored audit event is not format " + FORMAT
          + " with " + FIELDS + " fields: " + t);
    }
    Tuple d = t.getTuple(6);
    if (d.size() % 2 != 0) {
      throw new IllegalArgumentException("stored audit event has an odd number of detail"
          + " elements: " + t);
    }
    Map<String, String> details = new LinkedHashMap<>();
    for (int i = 0; i < d.size(); i += 2) {
      details.put(d.getString(i), d.getString(i + 1));
    }
    return new AuditEvent(t.getString(1), t.getString(2), t.getString(3), optional(t, 4),
        optional(t, 5), Collections.unmodifiableMap(details), t.getInstant(7));
  }

  private static @Nullable String optional(Tuple t, int i) {
    return t.type(i) == Tuple.Type.NULL ? null : t.getString(i);
  }

  /**
   * Returns the event's details as stored and returned: keys ascending, unmodifiable.
   *
   * @param details the validated details, or {@code null}
   * @return the normalized map
   */
  static Map<String, String> normalize(@Nullable Map<String, String> details) {
    if (details == null || details.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    details.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(d -> out.put(d.getKey(), d.getValue()));
    return Collections.unmodifiableMap(out);
  }
}
