package io.treestore.stores.internal;

import io.treestore.spi.StoreException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/** Input checks and ids shared by the stores; every failure is an INVALID_ARGUMENT. */
public final class Checks {
  private static final int MAX_ID = 200;

  private Checks() {}

  /**
   * Checks an id: 1 to 200 characters, no control characters, no {@code /}, no unpaired
   * surrogates.
   *
   * @param id the value
   * @param what its name in messages, such as {@code doc_id}
   * @return the id
   * @throws StoreException if it is invalid
   */
  public static String id(@Nullable String id, String what) {
    if (id == null || id.isEmpty()) {
      throw StoreException.invalid(what + " is missing");
    }
    if (id.length() > MAX_ID) {
      throw StoreException.invalid(what + " is " + id.length() + " characters, at most "
          + MAX_ID);
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < id.length()
          && Character.isLowSurrogate(id.charAt(i + 1));
      if (pair) {
        i++;
      } else if (Character.isISOControl(c) || c == '/' || Character.isSurrogate(c)) {
        throw StoreException.invalid(what + " must not contain control characters, '/' or"
            + " unpaired surrogates");
      }
    }
    return id;
  }

  /**
   * Checks a required text.
   *
   * @param s the value
   * @param what its name
   * @param max the most characters
   * @return the text
   * @throws StoreException if missing or too long
   */
  public static String text(@Nullable String s, String what, int max) {
    if (s == null || s.isEmpty()) {
      throw StoreException.invalid(what + " is missing");
    }
    if (s.length() > max) {
      throw StoreException.invalid(what + " is " + s.length() + " characters, at most " + max);
    }
    return s;
  }

  /**
   * Checks an optional probability.
   *
   * @param p the value or {@code null}
   * @param what its name
   * @return the value
   * @throws StoreException if outside [0, 1] or NaN
   */
  public static @Nullable Double unit(@Nullable Double p, String what) {
    if (p != null && !(p >= 0 && p <= 1)) {
      throw StoreException.invalid(what + " must be between 0 and 1, was " + p);
    }
    return p;
  }

  /**
   * Checks a limit.
   *
   * @param limit the value or {@code null}
   * @param dflt the default
   * @param max the largest allowed
   * @return the limit
   * @throws StoreException if outside [1, max]
   */
  public static int limit(@Nullable Integer limit, int dflt, int max) {
    int l = limit == null ? dflt : limit;
    if (l < 1 || l > max) {
      throw StoreException.invalid("limit must be 1 to " + max + ", was " + l);
    }
    return l;
  }

  /**
   * Checks a time window.
   *
   * @param from start or {@code null}
   * @param to end or {@code null}
   * @throws StoreException if {@code from} is after {@code to}
   */
  public static void window(@Nullable Instant from, @Nullable Instant to) {
    if (from != null && to != null && from.isAfter(to)) {
      throw StoreException.invalid("from " + from + " is after to " + to);
    }
  }

  /**
   * Returns a new random id.
   *
   * @return 16 lower-case hex digits
   */
  public static String newId() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }
}
