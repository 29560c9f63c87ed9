package io.treestore.bench;

import io.treestore.wal.Durability;
import io.treestore.wal.Wal;
import io.treestore.wal.WalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under a durable commit on this machine's disk: the raw latency of appending 4 KiB
 * to a file and syncing it, and of TreeStore's log alone ({@link Wal#append} in
 * {@link Durability#SYNC} mode), measured with the same settings as
 * {@link TxnCommitBenchmark} so the two are run together and compared.
 *
 * <h2>Workload</h2>
 * <ul>
 *   <li>{@link #rawAppend4kForce}: a {@link FileChannel} opened as a log segment is
 *       ({@code CREATE_NEW, READ, WRITE}); each operation writes 4 KiB of random bytes from a
 *       direct buffer at the end of the file (positional write) and calls
 *       {@code force(false)} (fdatasync on Linux). The file only grows, so every sync also
 *       commits the new file size and block allocation, as a log append does.
 *   <li>{@link #rawOverwrite4kForce}: the same 4 KiB writes and {@code force(false)}, but in
 *       place, into a file zero-filled to 256 MiB and synced at setup (wrapping around at its
 *       end): no sync commits a new file size. This is the floor for TreeStore's log, which
 *       zero-fills ahead of its records (ADR 0010).
 *   <li>{@link #walAppendSync}: {@link Wal#append(byte, byte[])} of a 138-byte payload (the
 *       size of a one-row commit record of {@link TxnCommitBenchmark}: 16-byte key,
 *       100-byte value) into a fresh log with {@link WalOptions#defaults()} (SYNC, 64 MiB
 *       segments, so no segment switch during the run). It returns once the record is written
 *       and {@code force(false)}ed.
 * </ul>
 * One thread; {@link Mode#SampleTime} for percentiles. Files live in a fresh directory on a
 * disk ({@link TxnBenchFiles}), deleted after the trial.
 *
 * <h2>Code path modeled</h2>
 * {@link #rawAppend4kForce} is what any log must at least pay per durable commit on this file
 * system. {@link #walAppendSync} is {@code Wal.append} → {@code Wal.await} → {@code lead}:
 * frame encoding and CRC32C, one positional write through the 1 MiB group buffer, one
 * {@code force(false)}; the difference to {@link TxnCommitBenchmark} ({@code rows=1},
 * {@code treestore}) is the transaction layer.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --sun-misc-unsafe-memory-access=allow \
 *     --enable-native-access=ALL-UNNAMED -jar ts-bench/target/benchmarks.jar \
 *     'TxnCommitBenchmark|WalFsyncBenchmark' -rf json -rff docs/benchmarks/txn-DATE.json
 * }
 * (build as in {@link TxnCommitBenchmark}). Two trials, about 1 minute.
 */
@Fork(value = 1, jvmArgsAppend = {
    "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow",
    "--enable-native-access=ALL-UNNAMED"})
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 5)
@Threads(1)
public class WalFsyncBenchmark {
  /** Bytes appended per raw operation. */
  static final int RAW_BYTES = 4096;
  /** Size of {@link PreallocatedFile}'s zero-filled file: 256 MiB. */
  static final long PREALLOCATED_BYTES = 256L << 20;
  /** Payload of one {@link Wal} record: a one-row commit record. */
  static final int WAL_PAYLOAD_BYTES = 138;

  /** Creates the benchmark; JMH calls this. */
  public WalFsyncBenchmark() {}

  /**
   * A file written 4 KiB at a time with positional writes, from offset 0 on; each write is
   * followed by {@code force(false)}. As it is, the file only grows; {@link PreallocatedFile}
   * zero-fills it first and wraps around.
   */
  @State(Scope.Benchmark)
  public static class RawFile {
    private Path dir;
    FileChannel ch;
    private final ByteBuffer block = ByteBuffer.allocateDirect(RAW_BYTES);
    private long next;

    /** Creates the state; JMH calls this once per trial. */
    public RawFile() {}

    /**
     * Creates the file and fills the block with random bytes, then calls {@link #prepare}.
     *
     * @throws IOException if the file cannot be created or prepared
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = TxnBenchFiles.createDir("walfsync-raw-");
      ch = FileChannel.open(dir.resolve("raw.log"), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
      byte[] b = new byte[RAW_BYTES];
      new SplittableRandom(42).nextBytes(b);
      block.put(b).flip();
      prepare();
    }

    /**
     * Prepares the empty file before the first write; nothing here.
     *
     * @throws IOException if the file cannot be written
     */
    void prepare() throws IOException {}

    /**
     * Where the writes start again from offset 0.
     *
     * @return a file offset; never reached here
     */
    long wrapAt() {
      return Long.MAX_VALUE;
    }

    /**
     * Closes and deletes the file.
     *
     * @throws IOException if it cannot be closed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      System.out.printf("%n[txn] %s file at end: %d bytes%n",
          wrapAt() == Long.MAX_VALUE ? "appended" : "preallocated", ch.size());
      ch.close();
      TxnBenchFiles.deleteDir(dir);
    }

    long writeAndForce() {
      try {
        block.rewind();
        long off = next;
        while (block.hasRemaining()) {
          off += ch.write(block, off);
        }
        next = off >= wrapAt() ? 0 : off;
        ch.force(false);
        return off;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * A {@link RawFile} zero-filled to {@link #PREALLOCATED_BYTES} and synced at setup, written
   * in place from the start and wrapping around at its end: the floor for a log that
   * preallocates (ADR 0010), whose syncs commit no change of the file size.
   */
  @State(Scope.Benchmark)
  public static class PreallocatedFile extends RawFile {
    /** Creates the state; JMH calls this once per trial. */
    public PreallocatedFile() {}

    @Override
    void prepare() throws IOException {
      TxnBenchFiles.zeroFill(ch, PREALLOCATED_BYTES);
    }

    @Override
    long wrapAt() {
      return PREALLOCATED_BYTES;
    }
  }

  /** A TreeStore log in SYNC mode. */
  @State(Scope.Benchmark)
  public static class Log {
    private Path dir;
    private Wal wal;
    private final byte[] payload = new byte[WAL_PAYLOAD_BYTES];

    /** Creates the state; JMH calls this once per trial. */
    public Log() {}

    /** Opens a new log. */
    @Setup(Level.Trial)
    public void setUp() {
      dir = TxnBenchFiles.createDir("walfsync-wal-");
      wal = Wal.open(dir.resolve("wal"), WalOptions.defaults());
      new SplittableRandom(43).nextBytes(payload);
      System.out.printf("[txn] wal settings: %s%n", wal.options());
    }

    /** Closes and deletes the log. */
    @TearDown(Level.Trial)
    public void tearDown() {
      System.out.printf("%n[txn] wal at end: lastLsn=%d sizeBytes=%d%n", wal.lastLsn(),
          wal.sizeBytes());
      wal.close();
      TxnBenchFiles.deleteDir(dir);
    }
  }

  /**
   * Appends 4 KiB at the end of the file and syncs it.
   *
   * @param f the file
   * @return the new file end
   */
  @Benchmark
  public long rawAppend4kForce(RawFile f) {
    return f.writeAndForce();
  }

  /**
   * Overwrites the next 4 KiB of a zero-filled file and syncs it.
   *
   * @param f the file
   * @return the offset after the block
   */
  @Benchmark
  public long rawOverwrite4kForce(PreallocatedFile f) {
    return f.writeAndForce();
  }

  /**
   * Appends one record to the log and waits until it is synced.
   *
   * @param l the log
   * @return the record's LSN
   */
  @Benchmark
  public long walAppendSync(Log l) {
    return l.wal.append((byte) 1, l.payload);
  }
}
