package io.treestore.fts;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One unit of search (for PageIndex, one node): named field texts and an optional path used
 * by subtree filters.
 *
 * @param fields field name to text; fields not declared in {@link FullTextOptions#fields()}
 *     are refused when indexing; absent fields are simply not part of the unit; texts may hold
 *     any characters
 * @param path the unit's position in its outline, such as {@code "2.1.3"} (dot-separated), or
 *     {@code null}; a subtree filter {@code "2.1"} matches {@code "2.1"} and
 *     {@code "2.1.*"}
 */
public record Unit(Map<String, String> fields, @Nullable String path) {
  /**
   * Copies the fields (keeping their order).
   *
   * @throws NullPointerException if a name or text is null
   */
  public Unit {
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      copy.put(Objects.requireNonNull(e.getKey(), "field name"),
          Objects.requireNonNull(e.getValue(), "field text"));
    }
    fields = Collections.unmodifiableMap(copy);
  }

  /**
   * Creates a unit from name/text pairs.
   *
   * @param path the outline path, or {@code null}
   * @param namesAndTexts alternating field names and texts; a {@code null} text skips the
   *     field
   * @return the unit
   * @throws IllegalArgumentException if the number of arguments is odd
   */
  public static Unit of(@Nullable String path, @Nullable String... namesAndTexts) {
    if (namesAndTexts.length % 2 != 0) {
      throw new IllegalArgumentException("names and texts must come in pairs");
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndTexts.length; i += 2) {
      String name = Objects.requireNonNull(namesAndTexts[i], "field name");
      String text = namesAndTexts[i + 1];
      if (text != null) {
        m.put(name, text);
      }
    }
    return new Unit(m, path);
  }
}
