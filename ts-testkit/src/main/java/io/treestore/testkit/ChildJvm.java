package io.treestore.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Starts child JVMs for the tests that need a separate process (crash recovery, plugins on
 * the class path): this JVM's module path, the test classes patched into their module as
 * surefire does, and the class path. The child's standard output is collected line by line;
 * its standard error goes to a file.
 *
 * <p>Not thread-safe except for the reader thread it starts.
 */
public final class ChildJvm {
  /** The child process. */
  public final Process process;
  private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;

  private ChildJvm(Process process) {
    this.process = process;
    this.reader = Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
          queue.add(l);
        }
      } catch (IOException e) {
        queue.add("IOERROR " + e);
      }
    });
  }

  /**
   * Starts a child.
   *
   * @param cmd the command, for example from {@link #inModule}
   * @param stderr the file that receives the child's standard error (appended)
   * @return the running child
   * @throws UncheckedIOException if the process cannot start
   */
  public static ChildJvm start(List<String> cmd, Path stderr) {
    try {
      return new ChildJvm(new ProcessBuilder(cmd)
          .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
  }

  /**
   * Waits for a line matching {@code p}.
   *
   * @param p what to wait for
   * @param timeoutMillis how long to wait
   * @return the line, or {@code null} if the child ended first or nothing came in time
   * @throws InterruptedException if interrupted
   */
  public @Nullable String await(Predicate<String> p, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      String l = queue.poll(20, TimeUnit.MILLISECONDS);
      if (l != null) {
        if (p.test(l)) {
          return l;
        }
      } else if (!process.isAlive()) {
        reader.join(5_000);
        if (queue.isEmpty()) {
          return null;
        }
      }
    }
    return null;
  }

  /**
   * Kills the child with SIGKILL, without closing its output: {@link Process#destroyForcibly()}
   * also closes the streams of the {@link Process} (on Linux), which loses the lines the child
   * wrote just before it died and the reader had not read yet (acknowledged commits that the
   * parent would then not know about). The reader reads on to the end of the pipe.
   */
  public void kill() {
    process.toHandle().destroyForcibly();
  }

  /**
   * Waits for the child's end (killing it after the timeout) and returns all its output.
   *
   * @param timeoutSeconds how long to wait before killing it
   * @return every line the child wrote to standard output
   * @throws InterruptedException if interrupted
   */
  public List<String> finish(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      kill();
      process.waitFor();
    }
    reader.join(60_000);
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  private static String java() {
    return ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static List<String> jvmFlags() {
    return new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
  }

  /**
   * The command that runs {@code main} (a test class of this module) in the module, as the
   * test JVM runs it: module path, test classes patched in, class path for test libraries.
   *
   * @param main the class with {@code main}
   * @param args its arguments
   * @return the command
   */
  public static List<String> inModule(Class<?> main, List<String> args) {
    List<String> cmd = jvmFlags();
    String modulePath = System.getProperty("jdk.module.path", "");
    String classPath = System.getProperty("java.class.path", "");
    Module module = main.getModule();
    if (module.isNamed() && !modulePath.isEmpty()) {
      cmd.addAll(List.of("--module-path", modulePath));
      Path root = classRoot(main);
      if (!modulePath.contains(root.toString())) {
        cmd.addAll(List.of("--patch-module", module.getName() + "=" + root));
        cmd.addAll(List.of("--add-reads", module.getName() + "=ALL-UNNAMED"));
      }
      if (!classPath.isEmpty()) {
        cmd.addAll(List.of("--class-path", classPath));
      }
      cmd.addAll(List.of("-m", module.getName() + "/" + main.getName()));
    } else {
      cmd.addAll(List.of("-cp", classPath, main.getName()));
    }
    cmd.addAll(args);
    return cmd;
  }

  /**
   * The command that runs {@code main} from the test classes on the class path, in the unnamed
   * module, while {@code rootModule} and its dependencies stay named modules on the module
   * path: how a plugin jar is deployed next to the database.
   *
   * @param main the class with {@code main}
   * @param rootModule the module to resolve from the module path, such as
   *     {@code io.treestore.fts}
   * @param args its arguments
   * @return the command
   */
  public static List<String> onClassPath(Class<?> main, String rootModule, List<String> args) {
    List<String> cmd = jvmFlags();
    String modulePath = System.getProperty("jdk.module.path", "");
    Path root = classRoot(main);
    if (!modulePath.isEmpty()) {
      cmd.addAll(List.of("--module-path", modulePath, "--add-modules", rootModule,
          "-cp", root.toString()));
    } else {
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path", "")));
    }
    cmd.add(main.getName());
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Returns the directory or jar root a class was loaded from.
   *
   * @param c the class
   * @return its class-path root
   * @throws IllegalStateException if the class does not come from a file
   */
  public static Path classRoot(Class<?> c) {
    String res = c.getName().replace('.', '/') + ".class";
    URL url = c.getResource("/" + res);
    if (url == null || !"file".equals(url.getProtocol())) {
      throw new IllegalStateException("cannot locate the class file of " + c + ": " + url);
    }
    try {
      String s = Path.of(url.toURI()).toString();
      return Path.of(s.substring(0, s.length() - res.length()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
