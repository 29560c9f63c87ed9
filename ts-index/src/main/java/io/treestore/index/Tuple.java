package io.treestore.index;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, ordered list of typed elements that encodes to an order-preserving,
 * self-delimiting byte key: for any tuples {@code a} and {@code b},
 * {@code Arrays.compareUnsigned(a.encode(), b.encode())} has the sign of
 * {@code a.compareTo(b)}, and the encoding of a tuple is a byte prefix of the encoding of every
 * tuple it is an element-wise prefix of. So a B+Tree keyed by encoded tuples can be scanned by
 * tuple prefix and tuple range ({@link TupleRange}).
 *
 * <h2>Element types, in their sort order</h2>
 * <table>
 *   <caption>Element types</caption>
 *   <tr><th>type</th><th>Java value</th><th>code</th><th>encoding after the code</th></tr>
 *   <tr><td>null</td><td>{@code null}</td><td>0x00</td><td>nothing (inside a nested tuple:
 *       0x00 0xFF)</td></tr>
 *   <tr><td>bytes</td><td>{@code byte[]}</td><td>0x01</td><td>the bytes, each 0x00 written
 *       as 0x00 0xFF, then 0x00</td></tr>
 *   <tr><td>string</td><td>{@link String} or {@link Utf8Text}</td><td>0x02</td><td>UTF-8,
 *       escaped and terminated like bytes; strings order by code point</td></tr>
 *   <tr><td>nested tuple</td><td>{@link Tuple}</td><td>0x05</td><td>the elements, then
 *       0x00</td></tr>
 *   <tr><td>int64</td><td>{@link Long} (also Integer, Short, Byte)</td><td>0x14</td><td>8
 *       bytes big-endian, sign bit flipped</td></tr>
 *   <tr><td>double</td><td>{@link Double} (also Float)</td><td>0x21</td><td>IEEE 754 bits
 *       (NaN canonical), all bits flipped if negative, else the sign bit flipped: the order
 *       of {@link Double#compare}</td></tr>
 *   <tr><td>boolean</td><td>{@link Boolean}</td><td>0x26 false, 0x27 true</td><td>nothing</td></tr>
 *   <tr><td>timestamp</td><td>{@link Instant}</td><td>0x33</td><td>epoch seconds as int64,
 *       then nanoseconds as 4 bytes big-endian</td></tr>
 * </table>
 *
 * <p>A string element is the same element whether given as a {@link String} or as a
 * {@link Utf8Text} (equal, same order, same encoding). Decoding keeps a string of
 * 512 UTF-8 bytes or more as a {@link Utf8Text}, checked but not turned into a
 * {@link String} until {@link #getString} or {@link #get} asks for it; {@link #getText} returns
 * it as it is.
 *
 * <p>Elements of different types order by type code; a proper prefix sorts before the longer
 * tuple. No encoded element starts with 0xFF, which {@link TupleRange} uses to bound prefixes.
 * Tuples nest at most {@link #MAX_NESTING} levels deep, so that decoding, comparing and
 * encoding never exhaust the stack: {@link #of} refuses deeper tuples and {@link #decode}
 * reports deeper encodings as malformed.
 * The layout follows the ideas of the FoundationDB tuple layer (escaped, terminated byte
 * strings; sign-flipped integers and IEEE doubles), with fixed-width integers.
 *
 * <p>Immutable and thread-safe; byte arrays are copied in and out.
 */
public final class Tuple implements Comparable<Tuple> {
  /** The deepest nesting of tuples in a tuple: a tuple inside a tuple is one level. */
  public static final int MAX_NESTING = 100;

  /** The tuple with no elements; encodes to zero bytes. */
  public static final Tuple EMPTY = new Tuple(new Object[0]);

  /** The type of one element. */
  public enum Type {
    /** The null element. */
    NULL,
    /** A byte string. */
    BYTES,
    /** A Unicode string. */
    STRING,
    /** A nested tuple. */
    TUPLE,
    /** A signed 64-bit integer. */
    INT64,
    /** An IEEE 754 double. */
    DOUBLE,
    /** A boolean. */
    BOOLEAN,
    /** An instant with nanosecond precision. */
    TIMESTAMP
  }

  static final int NULL = 0x00;
  static final int BYTES = 0x01;
  static final int STRING = 0x02;
  static final int NESTED = 0x05;
  static final int INT64 = 0x14;
  static final int DOUBLE = 0x21;
  static final int FALSE = 0x26;
  static final int TRUE = 0x27;
  static final int TIMESTAMP = 0x33;

  private static final long MIN_SECONDS = Instant.MIN.getEpochSecond();
  private static final long MAX_SECONDS = Instant.MAX.getEpochSecond();

  /** Elements normalized to null, byte[], String, Long, Double, Boolean, Instant, Tuple. */
  private final Object[] elements;
  /** Levels of nested tuples inside, 0 to {@link #MAX_NESTING}. */
  private final int nesting;
  private int hash;

  private Tuple(Object[] elements) {
    this.elements = elements;
    int n = 0;
    for (Object e : elements) {
      if (e instanceof Tuple t) {
        n = Math.max(n, t.nesting + 1);
      }
    }
    this.nesting = n;
  }

  /**
   * Creates a tuple.
   *
   * @param elements the elements: {@code null}, {@code byte[]}, {@link String},
   *     {@link Long}/{@link Integer}/{@link Short}/{@link Byte}, {@link Double}/{@link Float},
   *     {@link Boolean}, {@link Instant} or {@link Tuple}
   * @return the tuple (byte arrays copied)
   * @throws IllegalArgumentException if an element has another type, a string holds an
   *     unpaired surrogate (it has no UTF-8 encoding), or tuples would nest deeper than
   *     {@link #MAX_NESTING}; the message names the element's index
   */
  public static Tuple of(@Nullable Object... elements) {
    Objects.requireNonNull(elements, "elements");
    Object[] out = new Object[elements.length];
    for (int i = 0; i < elements.length; i++) {
      out[i] = normalize(elements[i], i);
    }
    return new Tuple(out);
  }

  /**
   * Creates a tuple from a list, as {@link #of(Object...)}.
   *
   * @param elements the elements
   * @return the tuple
   * @throws IllegalArgumentException if an element is not of a supported type
   */
  public static Tuple fromList(List<?> elements) {
    return of(elements.toArray());
  }

  private static @Nullable Object normalize(@Nullable Object e, int index) {
    return switch (e) {
      case null -> null;
      case byte[] b -> b.clone();
      case String s -> {
        checkUtf16(s, index);
        yield s;
      }
      case Utf8Text u -> u;
      case Long l -> l;
      case Integer i -> (long) i;
      case Short s -> (long) s;
      case Byte b -> (long) b;
      case Double d -> d;
      case Float f -> (double) f;
      case Boolean b -> b;
      case Instant t -> t;
      case Tuple t -> {
        if (t.nesting >= MAX_NESTING) {
          throw new IllegalArgumentException("tuple element " + index + " holds tuples nested "
              + (t.nesting + 1) + " levels deep; at most " + MAX_NESTING);
        }
        yield t;
      }
      default -> throw new IllegalArgumentException("tuple element " + index + " has type "
          + e.getClass().getName() + "; supported: null, byte[], String, Utf8Text, Long,"
          + " Integer, Short, Byte, Double, Float, Boolean, Instant, Tuple");
    };
  }

  private static void checkUtf16(String s, int index) {
    int bad = Utf8Text.unpairedSurrogate(s);
    if (bad >= 0) {
      throw new IllegalArgumentException("tuple element " + index
          + " holds an unpaired surrogate at char " + bad + "; it has no UTF-8 encoding");
    }
  }

  /**
   * Returns the number of elements.
   *
   * @return the size, {@code >= 0}
   */
  public int size() {
    return elements.length;
  }

  /**
   * Returns an element; byte arrays are copies.
   *
   * @param index 0 to {@code size() - 1}
   * @return the element as a normalized Java value (integers as {@link Long}, floats as
   *     {@link Double}), or {@code null}
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public @Nullable Object get(int index) {
    return switch (elements[index]) {
      case byte[] b -> b.clone();
      case Utf8Text u -> u.toString();
      case null -> null;
      case Object e -> e;
    };
  }

  /**
   * Returns the type of an element.
   *
   * @param index 0 to {@code size() - 1}
   * @return the type
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public Type type(int index) {
    return switch (elements[index]) {
      case null -> Type.NULL;
      case byte[] b -> Type.BYTES;
      case String s -> Type.STRING;
      case Utf8Text u -> Type.STRING;
      case Long l -> Type.INT64;
      case Double d -> Type.DOUBLE;
      case Boolean b -> Type.BOOLEAN;
      case Instant t -> Type.TIMESTAMP;
      default -> Type.TUPLE;
    };
  }

  private <T> T typed(int index, Class<T> type, Type name) {
    Object e = elements[index];
    if (!type.isInstance(e)) {
      throw new IllegalArgumentException("tuple element " + index + " is "
          + type(index) + ", not " + name);
    }
    return type.cast(e);
  }

  /**
   * Returns a string element.
   *
   * @param index the element's index
   * @return the string
   * @throws IllegalArgumentException if the element is not a string
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public String getString(int index) {
    if (elements[index] instanceof Utf8Text u) {
      return u.toString();
    }
    return typed(index, String.class, Type.STRING);
  }

  /**
   * Returns a string element as UTF-8 text, without turning it into a {@link String} if it was
   * decoded as one that long strings are ({@link #decode}); a string element given as a
   * {@link String} is encoded.
   *
   * @param index the element's index
   * @return the text
   * @throws IllegalArgumentException if the element is not a string
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public Utf8Text getText(int index) {
    if (elements[index] instanceof Utf8Text u) {
      return u;
    }
    return Utf8Text.of(typed(index, String.class, Type.STRING));
  }

  /**
   * Returns an int64 element.
   *
   * @param index the element's index
   * @return the value
   * @throws IllegalArgumentException if the element is not an int64
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public long getLong(int index) {
    return typed(index, Long.class, Type.INT64);
  }

  /**
   * Returns a double element.
   *
   * @param index the element's index
   * @return the value
   * @throws IllegalArgumentException if the element is not a double
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public double getDouble(int index) {
    return typed(index, Double.class, Type.DOUBLE);
  }

  /**
   * Returns a boolean element.
   *
   * @param index the element's index
   * @return the value
   * @throws IllegalArgumentException if the element is not a boolean
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public boolean getBoolean(int index) {
    return typed(index, Boolean.class, Type.BOOLEAN);
  }

  /**
   * Returns a bytes element.
   *
   * @param index the element's index
   * @return a copy of the bytes
   * @throws IllegalArgumentException if the element is not bytes
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public byte[] getBytes(int index) {
    return typed(index, byte[].class, Type.BYTES).clone();
  }

  /**
   * Returns a timestamp element.
   *
   * @param index the element's index
   * @return the instant
   * @throws IllegalArgumentException if the element is not a timestamp
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public Instant getInstant(int index) {
    return typed(index, Instant.class, Type.TIMESTAMP);
  }

  /**
   * Returns a nested tuple element.
   *
   * @param index the element's index
   * @return the tuple
   * @throws IllegalArgumentException if the element is not a tuple
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public Tuple getTuple(int index) {
    return typed(index, Tuple.class, Type.TUPLE);
  }

  /**
   * Returns the elements as a list (byte arrays copied).
   *
   * @return an unmodifiable list that may contain nulls
   */
  public List<@Nullable Object> toList() {
    List<@Nullable Object> out = new ArrayList<>(elements.length);
    for (int i = 0; i < elements.length; i++) {
      out.add(get(i));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Returns this tuple followed by more elements.
   *
   * @param more elements as accepted by {@link #of(Object...)}
   * @return a new tuple
   * @throws IllegalArgumentException if an element has an unsupported type
   */
  public Tuple add(@Nullable Object... more) {
    return concat(of(more));
  }

  /**
   * Returns this tuple followed by the elements of another; its encoding is the
   * concatenation of both encodings.
   *
   * @param other the tuple to append
   * @return a new tuple
   */
  public Tuple concat(Tuple other) {
    Object[] out = Arrays.copyOf(elements, elements.length + other.elements.length);
    System.arraycopy(other.elements, 0, out, elements.length, other.elements.length);
    return new Tuple(out);
  }

  /**
   * Returns the elements {@code from} (inclusive) to {@code to} (exclusive).
   *
   * @param from the first index, 0 to {@code to}
   * @param to the end index, {@code from} to {@code size()}
   * @return the sub-tuple
   * @throws IndexOutOfBoundsException if the bounds are out of range
   */
  public Tuple subTuple(int from, int to) {
    Objects.checkFromToIndex(from, to, elements.length);
    return new Tuple(Arrays.copyOfRange(elements, from, to));
  }

  /**
   * Encodes the tuple.
   *
   * @return the key bytes (see the class description)
   */
  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 8 * elements.length);
    encode(out, false);
    return out.toByteArray();
  }

  private void encode(ByteArrayOutputStream out, boolean nested) {
    for (Object e : elements) {
      switch (e) {
        case null -> {
          out.write(NULL);
          if (nested) {
            out.write(0xFF);
          }
        }
        case byte[] b -> {
          out.write(BYTES);
          escaped(out, b);
        }
        case String s -> {
          out.write(STRING);
          escaped(out, s.getBytes(StandardCharsets.UTF_8));
        }
        case Utf8Text u -> {
          out.write(STRING);
          escaped(out, u.array(), u.arrayOffset(), u.utf8Length());
        }
        case Long l -> {
          out.write(INT64);
          long64(out, l ^ Long.MIN_VALUE);
        }
        case Double d -> {
          out.write(DOUBLE);
          long bits = Double.doubleToLongBits(d);
          long64(out, bits < 0 ? ~bits : bits ^ Long.MIN_VALUE);
        }
        case Boolean b -> out.write(b ? TRUE : FALSE);
        case Instant t -> {
          out.write(TIMESTAMP);
          long64(out, t.getEpochSecond() ^ Long.MIN_VALUE);
          int n = t.getNano();
          out.write(n >>> 24);
          out.write(n >>> 16);
          out.write(n >>> 8);
          out.write(n);
        }
        case Tuple t -> {
          out.write(NESTED);
          t.encode(out, true);
          out.write(0x00);
        }
        default -> throw new AssertionError(e.getClass());
      }
    }
  }

  private static void escaped(ByteArrayOutputStream out, byte[] b) {
    escaped(out, b, 0, b.length);
  }

  private static void escaped(ByteArrayOutputStream out, byte[] b, int off, int len) {
    int from = off;
    for (int i = off; i < off + len; i++) {
      if (b[i] == 0) {
        out.write(b, from, i + 1 - from);
        out.write(0xFF);
        from = i + 1;
      }
    }
    out.write(b, from, off + len - from);
    out.write(0x00);
  }

  private static void long64(ByteArrayOutputStream out, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (v >>> shift));
    }
  }

  /**
   * Decodes a whole byte array.
   *
   * @param bytes an encoding made by {@link #encode()}
   * @return the tuple
   * @throws TupleFormatException if the bytes are not exactly one canonical tuple encoding
   */
  public static Tuple decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  /**
   * Decodes a slice of a byte array.
   *
   * @param bytes the array
   * @param offset where the encoding starts
   * @param length its length in bytes
   * @return the tuple
   * @throws TupleFormatException if the slice is not exactly one canonical tuple encoding;
   *     the offset in the exception counts from {@code offset}
   * @throws IndexOutOfBoundsException if the slice is outside the array
   */
  public static Tuple decode(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    return new Decoder(bytes, offset, offset + length, false).tuple(0);
  }

  /**
   * Decodes a whole byte array that the caller hands over: the long strings of the result
   * ({@link Utf8Text}) keep referring to it instead of copies, so it must never change after
   * (a record read from a table is such an array: a new one for every read).
   *
   * @param bytes an encoding made by {@link #encode()}, never to be changed
   * @return the tuple
   * @throws TupleFormatException as {@link #decode(byte[])}
   */
  static Tuple decodeOwned(byte[] bytes) {
    return new Decoder(bytes, 0, bytes.length, true).tuple(0);
  }

  /**
   * Decodes only the elements {@code from} (inclusive) to {@code to} (exclusive) of a tuple
   * encoding, passing over the elements before them without decoding them (a record's child
   * list without its long text, for example). Consecutive top-level elements encode to
   * consecutive bytes, so the result is the tuple of those elements.
   *
   * @param bytes an encoding made by {@link #encode()}
   * @param from the first element, 0 or more
   * @param to one past the last element, at least {@code from}; elements past the tuple's end
   *     are left out
   * @return the elements as a tuple
   * @throws IllegalArgumentException if {@code from} is negative or {@code to < from}
   * @throws TupleFormatException if an element passed over has an unknown type code, is
   *     truncated or nests too deep, or the decoded elements are malformed (the offset then
   *     counts from the first decoded element)
   */
  public static Tuple decodeElements(byte[] bytes, int from, int to) {
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("need 0 <= from <= to, were " + from + " and " + to);
    }
    Decoder d = new Decoder(bytes, 0, bytes.length, false);
    int start = d.skipElements(from);
    return decode(bytes, start, d.skipElements(to - from) - start);
  }

  /**
   * Returns how many leading bytes of a tuple encoding hold its first {@code elements}
   * elements, finding their ends without decoding them (a key's group prefix, for example).
   * The elements passed over are checked only as far as needed to find their ends; decode
   * the prefix to validate it.
   *
   * @param bytes an encoding made by {@link #encode()}
   * @param elements how many leading elements, 0 or more
   * @return the prefix's length, 0 to {@code bytes.length}; {@code bytes.length} if the tuple
   *     has {@code elements} elements or fewer
   * @throws IllegalArgumentException if {@code elements} is negative
   * @throws TupleFormatException if an element before the end of the prefix has an unknown
   *     type code, is truncated, or nests deeper than 100 levels
   */
  public static int prefixLength(byte[] bytes, int elements) {
    if (elements < 0) {
      throw new IllegalArgumentException("elements must be >= 0, was " + elements);
    }
    return new Decoder(bytes, 0, bytes.length, false).skipElements(elements);
  }

  private static final class Decoder {
    private static final VarHandle LONGS =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /**
     * Decoded string elements of at least this many UTF-8 bytes are kept as {@link Utf8Text}
     * and turn into a {@link String} only when asked ({@link Tuple#getString},
     * {@link Tuple#get}).
     */
    static final int LAZY_TEXT_BYTES = 512;

    private final byte[] b;
    private final int start;
    private final int end;
    /** Whether long strings may refer to {@link #b} instead of copies of it. */
    private final boolean owned;
    private int pos;

    Decoder(byte[] b, int start, int end, boolean owned) {
      this.b = b;
      this.start = start;
      this.end = end;
      this.owned = owned;
      this.pos = start;
    }

    private TupleFormatException error(String message, int at) {
      return new TupleFormatException(message, at - start);
    }

    /** Decodes the elements of a tuple nested {@code level} levels deep (0: the whole key). */
    Tuple tuple(int level) {
      boolean nested = level > 0;
      List<Object> out = new ArrayList<>();
      while (true) {
        if (pos >= end) {
          if (nested) {
            throw error("nested tuple not terminated", pos);
          }
          return new Tuple(out.toArray());
        }
        int at = pos;
        int code = b[pos++] & 0xFF;
        switch (code) {
          case NULL -> {
            if (nested) {
              if (pos < end && (b[pos] & 0xFF) == 0xFF) {
                pos++;
                out.add(null);
              } else {
                return new Tuple(out.toArray());
              }
            } else {
              out.add(null);
            }
          }
          case BYTES -> out.add(escaped(at));
          case STRING -> out.add(string(at));
          case NESTED -> {
            if (level >= MAX_NESTING) {
              throw error("tuples nested deeper than " + MAX_NESTING + " levels", at);
            }
            out.add(tuple(level + 1));
          }
          case INT64 -> out.add(long64(at) ^ Long.MIN_VALUE);
          case DOUBLE -> {
            long v = long64(at);
            long bits = v < 0 ? v ^ Long.MIN_VALUE : ~v;
            double d = Double.longBitsToDouble(bits);
            if (Double.doubleToLongBits(d) != bits) {
              throw error("non-canonical NaN", at);
            }
            out.add(d);
          }
          case FALSE -> out.add(Boolean.FALSE);
          case TRUE -> out.add(Boolean.TRUE);
          case TIMESTAMP -> {
            long seconds = long64(at) ^ Long.MIN_VALUE;
            if (pos + 4 > end) {
              throw error("truncated timestamp", at);
            }
            int nanos = ((b[pos] & 0xFF) << 24) | ((b[pos + 1] & 0xFF) << 16)
                | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
            pos += 4;
            if (nanos < 0 || nanos > 999_999_999 || seconds < MIN_SECONDS
                || seconds > MAX_SECONDS) {
              throw error("timestamp out of range", at);
            }
            out.add(Instant.ofEpochSecond(seconds, nanos));
          }
          default -> throw error(String.format("unknown type code 0x%02x", code), at);
        }
      }
    }

    /** Moves past up to {@code n} top-level elements; returns the position after them. */
    int skipElements(int n) {
      for (int i = 0; i < n && pos < end; i++) {
        skip(0);
      }
      return pos;
    }

    /** Moves past one element without decoding it (nested {@code level} levels deep). */
    void skip(int level) {
      int at = pos;
      int code = b[pos++] & 0xFF;
      switch (code) {
        case NULL, FALSE, TRUE -> {
          // the type code is the whole element (a null inside a nested tuple is handled
          // by the nested case)
        }
        case BYTES, STRING -> skipEscaped(at);
        case NESTED -> {
          if (level >= MAX_NESTING) {
            throw error("tuples nested deeper than " + MAX_NESTING + " levels", at);
          }
          while (true) {
            if (pos >= end) {
              throw error("nested tuple not terminated", pos);
            }
            if (b[pos] == 0) {
              if (pos + 1 < end && b[pos + 1] == (byte) 0xFF) {
                pos += 2; // a null element
                continue;
              }
              pos++;
              return;
            }
            skip(level + 1);
          }
        }
        case INT64, DOUBLE -> skipBytes(8, at, "truncated 8-byte element");
        case TIMESTAMP -> skipBytes(12, at, "truncated timestamp");
        default -> throw error(String.format("unknown type code 0x%02x", code), at);
      }
    }

    private void skipBytes(int n, int at, String message) {
      if (pos + n > end) {
        throw error(message, at);
      }
      pos += n;
    }

    /** Moves past an escaped byte or string body and its terminator. */
    private void skipEscaped(int at) {
      int i = pos;
      while (true) {
        i = zero(b, i, end);
        if (i >= end) {
          throw error("byte string not terminated", at);
        }
        if (i + 1 < end && b[i + 1] == (byte) 0xFF) {
          i += 2;
          continue;
        }
        pos = i + 1;
        return;
      }
    }

    private long long64(int at) {
      if (pos + 8 > end) {
        throw error("truncated 8-byte element", at);
      }
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (b[pos++] & 0xFF);
      }
      return v;
    }

    private byte[] escaped(int at) {
      // fast path: no escaped 0x00 before the terminator, so the bytes are one slice
      int start = pos;
      for (int i = pos; i < end; i++) {
        if (b[i] == 0) {
          if (i + 1 < end && b[i + 1] == (byte) 0xFF) {
            break;
          }
          pos = i + 1;
          return java.util.Arrays.copyOfRange(b, start, i);
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (true) {
        if (pos >= end) {
          throw error("byte string not terminated", at);
        }
        byte x = b[pos++];
        if (x == 0) {
          if (pos < end && b[pos] == (byte) 0xFF) {
            pos++;
            out.write(0);
          } else {
            return out.toByteArray();
          }
        } else {
          out.write(x);
        }
      }
    }

    /**
     * A string element, checked to be well-formed UTF-8 in the same pass that finds its end
     * ({@link Utf8Text#scanToZero}): taken straight from the input when it holds no escaped
     * 0x00; one of {@link #LAZY_TEXT_BYTES} or more bytes stays UTF-8 ({@link Utf8Text}: the
     * input itself if {@link #owned}, else a copy), a shorter one becomes a {@link String}.
     */
    private Object string(int at) {
      int from = pos;
      int i = Utf8Text.scanToZero(b, from, end);
      if (i < 0) {
        throw error("invalid UTF-8 in string", at);
      }
      if (i >= end) {
        throw error("byte string not terminated", at);
      }
      if (i + 1 < end && b[i + 1] == (byte) 0xFF) {
        byte[] bytes = escaped(at);
        if (Utf8Text.malformedAt(bytes, 0, bytes.length) >= 0) {
          throw error("invalid UTF-8 in string", at);
        }
        return bytes.length >= LAZY_TEXT_BYTES ? new Utf8Text(bytes, 0, bytes.length, null)
            : new String(bytes, StandardCharsets.UTF_8);
      }
      pos = i + 1;
      int len = i - from;
      if (len < LAZY_TEXT_BYTES) {
        return new String(b, from, len, StandardCharsets.UTF_8);
      }
      return owned ? new Utf8Text(b, from, len, null)
          : new Utf8Text(Arrays.copyOfRange(b, from, i), 0, len, null);
    }

    /**
     * Returns the index of the first zero byte in {@code a[from, to)}, or {@code to}: eight
     * bytes at a time with the zero-byte test of Mycroft (1987), as in Hacker's Delight
     * (Warren, 2nd ed., section 6-1), then byte by byte for the rest.
     */
    private static int zero(byte[] a, int from, int to) {
      int i = from;
      for (; i + 8 <= to; i += 8) {
        long v = (long) LONGS.get(a, i);
        if (((v - 0x0101010101010101L) & ~v & 0x8080808080808080L) != 0) {
          break;
        }
      }
      for (; i < to; i++) {
        if (a[i] == 0) {
          return i;
        }
      }
      return to;
    }
  }

  /**
   * Compares in tuple order, which equals the unsigned byte order of the encodings: element by
   * element, by type code first, then by value (bytes unsigned, strings by code point,
   * numbers numerically with {@link Double#compare} for doubles, false before true, instants
   * chronologically, nested tuples recursively); a proper prefix sorts first.
   *
   * @param other the tuple to compare with
   * @return negative, zero or positive
   */
  @Override
  public int compareTo(Tuple other) {
    int n = Math.min(elements.length, other.elements.length);
    for (int i = 0; i < n; i++) {
      int c = compareElements(elements[i], other.elements[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(elements.length, other.elements.length);
  }

  private static int code(@Nullable Object e) {
    return switch (e) {
      case null -> NULL;
      case byte[] b -> BYTES;
      case String s -> STRING;
      case Utf8Text u -> STRING;
      case Tuple t -> NESTED;
      case Long l -> INT64;
      case Double d -> DOUBLE;
      case Boolean b -> b ? TRUE : FALSE;
      case Instant t -> TIMESTAMP;
      default -> throw new AssertionError(e.getClass());
    };
  }

  private static int compareElements(@Nullable Object a, @Nullable Object b) {
    int ca = code(a);
    int cb = code(b);
    if (ca != cb) {
      return Integer.compare(ca, cb);
    }
    return switch (a) {
      case null -> 0;
      case byte[] x -> Arrays.compareUnsigned(x, (byte[]) b);
      case String x when b instanceof String y -> compareCodePoints(x, y);
      case Utf8Text x when b instanceof Utf8Text y -> x.compareTo(y);
      case String x -> compareCodePoints(x, Objects.requireNonNull(b).toString());
      case Utf8Text x -> compareCodePoints(x.toString(), Objects.requireNonNull(b).toString());
      case Tuple x -> x.compareTo((Tuple) Objects.requireNonNull(b));
      case Long x -> Long.compare(x, (Long) Objects.requireNonNull(b));
      case Double x -> Double.compare(x, (Double) Objects.requireNonNull(b));
      case Boolean x -> 0;
      case Instant x -> x.compareTo((Instant) Objects.requireNonNull(b));
      default -> throw new AssertionError(a.getClass());
    };
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /**
   * Compares elements by value, bytes by content and doubles as {@link Double#equals}.
   *
   * @param o another object
   * @return whether {@code o} is a tuple with equal elements
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Tuple t && compareTo(t) == 0;
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = 1;
      for (Object e : elements) {
        h = 31 * h + switch (e) {
          case byte[] b -> Arrays.hashCode(b);
          case Utf8Text u -> u.toString().hashCode(); // as the equal String element's
          case null -> 0;
          case Object o -> o.hashCode();
        };
      }
      hash = h;
    }
    return h;
  }

  /**
   * Returns a readable form such as {@code ("doc", 3, null, b"\x00\x01")}.
   *
   * @return the text
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < elements.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      Object e = elements[i];
      switch (e) {
        case null -> sb.append("null");
        case String s -> quoted(sb, s);
        case Utf8Text u -> quoted(sb, u.toString());
        case byte[] b -> {
          sb.append("b\"");
          for (byte x : b) {
            sb.append(String.format("\\x%02x", x & 0xFF));
          }
          sb.append('"');
        }
        default -> sb.append(e);
      }
    }
    return sb.append(elements.length == 1 ? ",)" : ")").toString();
  }

  private static void quoted(StringBuilder sb, String s) {
    sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
  }
}
