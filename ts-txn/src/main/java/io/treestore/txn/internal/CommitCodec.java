package io.treestore.txn.internal;

import io.treestore.txn.MergeOperator;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;

/**
 * Encodes a transaction's write set as the payload of one log record.
 *
 * <pre>
 * Commit   --&gt; version:u8 (1), keyspaces:u32, Keyspace^keyspaces
 * Keyspace --&gt; name:Str, writes:u32, Write^writes       (keys ascending)
 * Write    --&gt; key:Bytes, kind:u8, (kind 1 put: value:Bytes | kind 2 delete: nothing
 *                                  | kind 3 merge: n:u32, (operator:Str, operand:Bytes)^n)
 * Str      --&gt; length:u16, UTF-8 bytes;   Bytes --&gt; length:u32, bytes
 * </pre>
 * All integers are big-endian. The record's integrity is guaranteed by the log's checksum;
 * decoding checks the structure and names what is wrong.
 */
public final class CommitCodec {
  /** Log record type of a commit. */
  public static final byte COMMIT = 1;
  private static final int VERSION = 1;

  private CommitCodec() {}

  /**
   * Encodes a write set.
   *
   * @param writes keyspace name to (key to write), keys ascending
   * @return the payload
   */
  public static byte[] encode(Map<String, ? extends NavigableMap<byte[], Write>> writes) {
    int estimate = 5;
    for (var ks : writes.values()) {
      for (var e : ks.entrySet()) {
        byte[] v = e.getValue().value();
        estimate += 9 + e.getKey().length + (v == null ? 8 : v.length);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(estimate);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeInt(writes.size());
      for (var ks : writes.entrySet()) {
        str(out, ks.getKey());
        out.writeInt(ks.getValue().size());
        for (var e : ks.getValue().entrySet()) {
          bytes(out, e.getKey());
          Write w = e.getValue();
          out.writeByte(w.kind());
          if (w.kind() == Write.PUT) {
            bytes(out, w.value());
          } else if (w.kind() == Write.MERGE) {
            out.writeInt(w.operands().size());
            for (Write.Operand o : w.operands()) {
              str(out, o.operator().name());
              bytes(out, o.bytes());
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes a payload, adding its writes to {@code into} in the order written.
   *
   * @param payload the log record's payload
   * @param operators resolves operator names; returns {@code null} for an unknown name
   * @param into receives the writes; when this throws, it may hold some of the record's
   *     writes and must be discarded
   * @return the number of writes
   * @throws IllegalArgumentException if the payload is malformed or names an unknown operator
   */
  public static int decode(byte[] payload, Function<String, MergeOperator> operators,
      WriteRuns into) {
    ByteBuffer b = ByteBuffer.wrap(payload);
    try {
      int version = b.get();
      if (version != VERSION) {
        throw new IllegalArgumentException("unknown commit record version " + version);
      }
      int n = b.getInt();
      int total = 0;
      for (int i = 0; i < n; i++) {
        String ks = str(b);
        int writes = b.getInt();
        for (int j = 0; j < writes; j++) {
          int klen = length(b);
          int koff = b.position();
          b.position(koff + klen);
          byte kind = b.get();
          Write w;
          if (kind == Write.PUT) {
            int vlen = length(b);
            int voff = b.position();
            b.position(voff + vlen);
            into.addPut(ks, payload, koff, klen, voff, vlen);
            total++;
            continue;
          } else if (kind == Write.DELETE) {
            into.addDelete(ks, payload, koff, klen);
            total++;
            continue;
          } else if (kind == Write.MERGE) {
            int ops = b.getInt();
            w = null;
            for (int k = 0; k < ops; k++) {
              String name = str(b);
              MergeOperator op = operators.apply(name);
              if (op == null) {
                throw new IllegalArgumentException("unknown merge operator '" + name
                    + "' (register it in DatabaseOptions.mergeOperators)");
              }
              byte[] operand = bytes(b);
              if (w == null) {
                w = Write.merge(op, operand);
              } else {
                w.addMerge(op, operand);
              }
            }
            if (w == null) {
              throw new IllegalArgumentException("merge without operands");
            }
          } else {
            throw new IllegalArgumentException("unknown write kind " + kind);
          }
          into.add(ks, java.util.Arrays.copyOfRange(payload, koff, koff + klen), w);
          total++;
        }
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException(b.remaining() + " trailing bytes");
      }
      return total;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("commit record ends early");
    }
  }

  private static void str(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeShort(b.length);
    out.write(b);
  }

  private static void bytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static String str(ByteBuffer b) {
    byte[] s = new byte[Short.toUnsignedInt(b.getShort())];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[length(b)];
    b.get(out);
    return out;
  }

  /** Reads a length and checks that that many bytes follow. */
  private static int length(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      throw new IllegalArgumentException("length " + n + " exceeds the record");
    }
    return n;
  }
}
