package io.treestore.bench.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What a benchmark trial tells the comparison runner besides its timings: how much disk its
 * engine's data takes, the engine's settings as read back from it, and a description of the
 * data set.
 *
 * <p>Two channels, both written in the JVM that runs the trial (the forked JVM, or the
 * runner's own when JMH runs without forks):
 * <ul>
 *   <li>the on-disk size: a benchmark registers a supplier at trial setup with
 *       {@link #diskUsage}; {@link ResourceProfiler} calls it before the last measured
 *       iteration and reports the value as the JMH secondary result
 *       {@value ResourceProfiler#DISK}, so it is kept in the raw JMH JSON;
 *   <li>text: {@link #note} appends one line {@code kind TAB key TAB text} to the file
 *       {@value #NOTES_FILE} in the directory named by the system property
 *       {@value #DIR_PROPERTY}; without that property notes are dropped, so the benchmarks
 *       run unchanged outside the runner.
 * </ul>
 *
 * <p>Thread-safe (the methods are synchronized); meant to be called from trial setup, not
 * from measured code.
 */
public final class TrialFacts {
  /** System property naming the directory of {@value #NOTES_FILE}. */
  public static final String DIR_PROPERTY = "ts.bench.facts";
  /** File name of the notes, one line per note. */
  public static final String NOTES_FILE = "notes.tsv";
  /** Note kind: an engine's settings (key: the engine). */
  public static final String SETTINGS = "settings";
  /** Note kind: a data set's description (key: the corpus name). */
  public static final String DATASET = "dataset";

  private static @Nullable LongSupplier disk;

  private TrialFacts() {}

  /**
   * Registers how to measure the current trial's on-disk size, replacing any earlier
   * registration; {@link ResourceProfiler} reads it once before the last measured iteration.
   *
   * @param bytes returns the bytes the engine's files (or tables) take at the time of the call
   */
  public static synchronized void diskUsage(LongSupplier bytes) {
    disk = bytes;
  }

  /**
   * Measures the registered on-disk size.
   *
   * @return the bytes, or empty if nothing is registered
   */
  static synchronized OptionalLong diskBytes() {
    LongSupplier d = disk;
    return d == null ? OptionalLong.empty() : OptionalLong.of(d.getAsLong());
  }

  /**
   * Forgets the registration (after a trial, so that a later trial in the same JVM that
   * registers nothing reports nothing).
   */
  static synchronized void forget() {
    disk = null;
  }

  /**
   * Records a line of text for the runner's report, if the runner asked for notes.
   *
   * @param kind what the note is, e.g. {@link #SETTINGS} or {@link #DATASET}
   * @param key what it is about, e.g. an engine or a corpus name
   * @param text the note; tabs and line breaks become spaces
   * @throws UncheckedIOException if the notes file cannot be written
   */
  public static synchronized void note(String kind, String key, String text) {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null) {
      return;
    }
    String line = clean(kind) + '\t' + clean(key) + '\t' + clean(text) + '\n';
    try {
      Path d = Path.of(dir);
      Files.createDirectories(d);
      Files.writeString(d.resolve(NOTES_FILE), line, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String clean(String s) {
    return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }
}
