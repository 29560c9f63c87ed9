package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.treestore.testkit.FuzzCorpus;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes {@link Tuple#decode} with arbitrary bytes (Jazzer). Without the {@code JAZZER_FUZZ}
 * environment variable only the checked-in inputs under
 * {@code src/test/resources/io/treestore/index/TupleDecodeFuzzTestInputs/decode/} run, as a
 * regression test.
 *
 * <p>Proves the decoding contract: whatever the bytes, {@code decode} either throws
 * {@link TupleFormatException} with an offset inside the input, or returns a tuple whose
 * {@code encode()} is exactly the input (the encoding is canonical: no two byte strings decode
 * to the same tuple) — never another exception, a hang or a stack overflow. The same bytes
 * inside a larger array decode alike, with offsets counted from the slice.
 */
class TupleDecodeFuzzTest {
  private static final AtomicInteger RUNS = new AtomicInteger();

  /**
   * Fails if Jazzer ran fewer inputs than the checked-in corpus holds (plus the empty input):
   * a corpus that is not found would otherwise pass silently.
   */
  @AfterAll
  static void everyCorpusInputRan() throws Exception {
    FuzzCorpus.checkEveryInputRan(TupleDecodeFuzzTest.class.getResource(
        "TupleDecodeFuzzTestInputs/decode"), "decode", RUNS.get(), 10);
  }

  /**
   * Decodes the input as a whole and as a slice of a larger array.
   *
   * @param input the fuzzer's bytes
   */
  @FuzzTest
  void decode(byte[] input) {
    RUNS.incrementAndGet();
    byte[] padded = new byte[input.length + 6];
    Arrays.fill(padded, (byte) 0x05);
    System.arraycopy(input, 0, padded, 4, input.length);
    Tuple t;
    try {
      t = Tuple.decode(input);
    } catch (TupleFormatException e) {
      assertTrue(e.offset() >= 0 && e.offset() <= input.length, "offset " + e.offset()
          + " outside the input of " + input.length + " bytes: " + e.getMessage());
      assertTrue(e.getMessage().endsWith(" at offset " + e.offset()), e.getMessage());
      TupleFormatException s = assertThrows(TupleFormatException.class,
          () -> Tuple.decode(padded, 4, input.length));
      assertEquals(e.getMessage(), s.getMessage(), "the slice decodes differently");
      return;
    }
    byte[] again = t.encode();
    assertArrayEquals(input, again, () -> "not canonical: " + HexFormat.of().formatHex(input)
        + " decodes to " + t + " which encodes to " + HexFormat.of().formatHex(again));
    assertEquals(t, Tuple.decode(padded, 4, input.length));
    assertEquals(t, Tuple.fromList(t.toList()));
    assertEquals(t.hashCode(), Tuple.decode(again).hashCode());
    assertEquals(0, t.compareTo(Tuple.decode(again)));
    for (int k = 0; k < t.size(); k++) {
      byte[] prefix = t.subTuple(0, k).encode();
      assertTrue(Arrays.equals(prefix, 0, prefix.length, input, 0, prefix.length),
          "prefix of " + k + " elements is not a byte prefix");
    }
  }
}
