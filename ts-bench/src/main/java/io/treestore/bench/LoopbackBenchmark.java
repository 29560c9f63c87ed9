package io.treestore.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under any call over a loopback transport on this machine: a one-byte round trip
 * between two threads of one JVM over a TCP connection on 127.0.0.1 ({@code TCP_NODELAY},
 * blocking sockets, no protocol at all). A gRPC or HTTP call, and a PostgreSQL query over
 * JDBC, each pay at least this; {@code docs/benchmarks-server.md} compares them with it.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * java -jar ts-bench/target/benchmarks.jar LoopbackBenchmark
 * }
 * Default mode {@code SampleTime} (p50, p99), one thread; about one minute.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class LoopbackBenchmark {
  private @Nullable ServerSocket listener;
  private @Nullable Thread echo;
  private @Nullable Socket client;
  private @Nullable InputStream in;
  private @Nullable OutputStream out;

  /** Creates the state (used by JMH). */
  public LoopbackBenchmark() {
    // filled by setUp
  }

  /**
   * Starts the echo thread and connects to it.
   *
   * @throws IOException if the loopback connection cannot be made
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    listener = ss;
    Thread t = Thread.ofPlatform().name("loopback-echo").start(() -> {
      try (Socket s = ss.accept()) {
        s.setTcpNoDelay(true);
        InputStream i = s.getInputStream();
        OutputStream o = s.getOutputStream();
        int b;
        while ((b = i.read()) >= 0) {
          o.write(b);
          o.flush();
        }
      } catch (IOException e) {
        // the connection closed at teardown
      }
    });
    echo = t;
    Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
    c.setTcpNoDelay(true);
    client = c;
    in = c.getInputStream();
    out = c.getOutputStream();
  }

  /**
   * Closes the connection and the listener and waits for the echo thread.
   *
   * @throws IOException if closing fails
   * @throws InterruptedException if interrupted while waiting
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException, InterruptedException {
    if (client != null) {
      client.close();
    }
    if (listener != null) {
      listener.close();
    }
    if (echo != null) {
      echo.join();
    }
  }

  /**
   * One byte there and back.
   *
   * @return the byte echoed
   */
  @Benchmark
  public int roundTrip() {
    try {
      OutputStream o = out;
      InputStream i = in;
      if (o == null || i == null) {
        throw new IllegalStateException("not set up");
      }
      o.write(1);
      o.flush();
      int b = i.read();
      if (b < 0) {
        throw new EOFException("the echo thread closed the connection");
      }
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
