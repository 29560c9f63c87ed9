package io.treestore.testkit;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Checks that a Jazzer fuzz test, run without {@code JAZZER_FUZZ} (as a regression test over
 * its checked-in corpus), really ran every corpus input: a corpus directory that is not found,
 * for example because resources are not visible on the module path, would otherwise pass
 * silently. Stateless; thread-safe.
 */
public final class FuzzCorpus {
  private FuzzCorpus() {}

  /**
   * Fails unless the fuzz method ran at least as many inputs as its corpus directory holds
   * files, plus the empty input Jazzer always adds. Does nothing while fuzzing for real
   * ({@code JAZZER_FUZZ} set), when the corpus grows as the fuzzer runs.
   *
   * @param dir the corpus directory, as the test class's {@code getResource} found it, or
   *     {@code null} if it was not found
   * @param what the fuzz method, for the messages
   * @param runs how many inputs the method ran
   * @param minFiles the fewest files the corpus must hold, {@code >= 0}
   * @throws AssertionError if the directory is missing, holds fewer than {@code minFiles}
   *     files, or not every input ran
   * @throws IOException if the directory cannot be listed
   * @throws URISyntaxException if the URL is not a file URI
   */
  public static void checkEveryInputRan(@Nullable URL dir, String what, long runs,
      int minFiles) throws IOException, URISyntaxException {
    if (System.getenv("JAZZER_FUZZ") != null) {
      return;
    }
    if (dir == null) {
      throw new AssertionError("no corpus directory for " + what);
    }
    long files;
    try (Stream<Path> list = Files.list(Path.of(dir.toURI()))) {
      files = list.count();
    }
    if (files < minFiles) {
      throw new AssertionError(what + ": the corpus has only " + files + " files");
    }
    if (runs < files + 1) {
      throw new AssertionError(what + " ran " + runs + " inputs, the corpus has " + files
          + " files (plus the empty input)");
    }
  }
}
