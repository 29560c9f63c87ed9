package io.treestore.wal;

/**
 * When an appended record is made durable ({@code fsync}ed), and what {@link Wal#append(byte,
 * byte[])} waits for. {@link Wal#durableLsn()} means "durable as this mode promises".
 */
public enum Durability {
  /**
   * The default. {@link Wal#append(byte, byte[])} returns only after the record, and every
   * record before it, has been written and {@code fsync}ed. Concurrent appenders share one
   * write and one {@code fsync} (group commit). An acknowledged record survives a process
   * crash and a power loss.
   */
  SYNC,

  /**
   * {@link Wal#append(byte, byte[])} returns as soon as the record is buffered in memory; a
   * background daemon thread writes and {@code fsync}s everything buffered every
   * {@link WalOptions#groupAsyncMillis()} milliseconds. A process crash or power loss loses at
   * most the records of about the last interval (plus one write and {@code fsync}). A caller
   * that needs one record durable now calls {@link Wal#awaitDurable(long)}.
   */
  GROUP_ASYNC,

  /**
   * No {@code fsync} at all, not even of the directory: {@link Wal#append(byte, byte[])}
   * returns once the record is written to the operating system, so it survives a process crash
   * but not a power loss or an operating system crash. For tests and bulk loads.
   */
  NONE
}
