package io.treestore.fts.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.treestore.testkit.FuzzCorpus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the posting-block and posting decoders with arbitrary bytes (Jazzer). Without the
 * {@code JAZZER_FUZZ} environment variable only the checked-in inputs under
 * {@code src/test/resources/io/treestore/fts/internal/PostingBlockFuzzTestInputs/read/} run,
 * as a regression test. An input is one byte {@code n}, then the block's last unit key (the
 * next {@code n} bytes, or fewer if the input ends), then the block's value.
 *
 * <p>Proves the decoding contract: whatever the bytes, reading a block and its postings
 * either throws {@link IllegalArgumentException} or yields 1 to 128 strictly ascending unit
 * keys of which the last is the block key's, with postings that decode; encoding what was
 * read gives a block that reads back the same. Never another exception or a hang.
 */
class PostingBlockFuzzTest {
  private static final AtomicInteger RUNS = new AtomicInteger();

  /** Fails if Jazzer ran fewer inputs than the checked-in corpus holds. */
  @AfterAll
  static void everyCorpusInputRan() throws Exception {
    FuzzCorpus.checkEveryInputRan(PostingBlockFuzzTest.class.getResource(
        "PostingBlockFuzzTestInputs/read"), "read", RUNS.get(), 10);
  }

  private record Read(List<byte[]> units, List<byte[]> postings) {}

  private static Read read(byte[] value, byte[] last) {
    PostingBlock.Reader r = new PostingBlock.Reader(value, last);
    List<byte[]> units = new ArrayList<>();
    List<byte[]> postings = new ArrayList<>();
    while (r.next()) {
      units.add(r.unit());
      postings.add(r.posting());
      Posting p = Posting.decode(r.array(), r.postingOffset(), r.postingLength(), 4);
      Posting q = Posting.decode(p.encode(), 4);
      assertEquals(p.path(), q.path());
      assertEquals(p.dl(), q.dl());
      assertArrayEquals(p.tf(), q.tf());
      assertArrayEquals(p.positions(), q.positions());
      assertEquals(p.path(), Posting.path(r.array(), r.postingOffset(), r.postingLength()));
    }
    assertEquals(r.count(), units.size());
    return new Read(units, postings);
  }

  /**
   * Reads the input as a block.
   *
   * @param input the fuzzer's bytes
   */
  @FuzzTest
  void read(byte[] input) {
    RUNS.incrementAndGet();
    if (input.length == 0) {
      return;
    }
    int n = Math.min(input[0] & 0xFF, input.length - 1);
    byte[] last = Arrays.copyOfRange(input, 1, 1 + n);
    byte[] value = Arrays.copyOfRange(input, 1 + n, input.length);
    Read got;
    try {
      got = read(value, last);
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
      return;
    }
    int count = got.units().size();
    assertTrue(count >= 1 && count <= PostingBlock.MAX_ENTRIES, count + " entries");
    for (int i = 1; i < count; i++) {
      assertTrue(Arrays.compareUnsigned(got.units().get(i - 1), got.units().get(i)) < 0,
          "unit keys not ascending");
    }
    assertArrayEquals(last, got.units().get(count - 1), "last unit is not the block key's");
    byte[] again = PostingBlock.encode(got.units(), got.postings(), 0, count);
    Read back = read(again, last);
    for (int i = 0; i < count; i++) {
      assertArrayEquals(got.units().get(i), back.units().get(i));
      assertArrayEquals(got.postings().get(i), back.postings().get(i));
    }
  }
}
