package io.treestore.wal;

import java.util.Objects;

/**
 * How to open a {@link Wal}. Immutable; the {@code with...} methods return modified copies.
 * All settings are fixed while the log is open: to change one, close the log and reopen it.
 *
 * @param segmentBytes target size of a segment file, in bytes, in [{@link
 *     #MIN_SEGMENT_BYTES}, {@link #MAX_SEGMENT_BYTES}]; default {@link #DEFAULT_SEGMENT_BYTES}
 *     (64 MiB). The log starts a new segment before a record that would make the current one
 *     larger, so segments stay at or below this size except a segment holding one record
 *     larger than it. Existing segments keep their size when this changes.
 * @param durability when appends are made durable; default {@link Durability#SYNC}
 * @param groupAsyncMillis for {@link Durability#GROUP_ASYNC}: the interval, in milliseconds,
 *     at which the background thread writes and syncs what is buffered, in [1, {@link
 *     #MAX_GROUP_ASYNC_MILLIS}]; default {@link #DEFAULT_GROUP_ASYNC_MILLIS}. Ignored by the
 *     other modes.
 * @param keepSegments how many of the segments that {@link Wal#deleteSegmentsBefore(long)}
 *     could delete it keeps anyway (the newest of them), {@code >= 0}; default 0
 * @param preallocateBytes how far, in bytes, the log zero-fills the active segment ahead of
 *     its last record, in [0, {@link #MAX_PREALLOCATE_BYTES}]; default {@link
 *     #DEFAULT_PREALLOCATE_BYTES} (1 MiB); 0 turns preallocation off. A sync of records written
 *     into space that already belongs to the file need not commit a new file size and block
 *     allocation to the file system's journal, so it costs one device flush instead of about
 *     two (measured on ext4: 139 us against 285 us per 4 KiB {@code fdatasync}); the group
 *     that extends the file by this much pays for the zeros once (about 1.7 ms per MiB
 *     there). PostgreSQL zero-fills its log segments for the same reason. Never beyond
 *     {@code segmentBytes}. Recovery treats zeros after a segment's last record as its end.
 * @param channels opens the segment files and syncs the directory; {@link
 *     WalChannels#DEFAULT} except in tests that inject faults or count syncs
 */
public record WalOptions(long segmentBytes, Durability durability, long groupAsyncMillis,
    int keepSegments, long preallocateBytes, WalChannels channels) {
  /** Smallest accepted {@link #segmentBytes()}: 4 KiB. */
  public static final long MIN_SEGMENT_BYTES = 4096;
  /** Largest accepted {@link #segmentBytes()}: 1 TiB. */
  public static final long MAX_SEGMENT_BYTES = 1L << 40;
  /** Default {@link #segmentBytes()}: 64 MiB. */
  public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
  /** Default {@link #groupAsyncMillis()}: 10 ms. */
  public static final long DEFAULT_GROUP_ASYNC_MILLIS = 10;
  /** Largest accepted {@link #groupAsyncMillis()}: 60,000 ms (one minute). */
  public static final long MAX_GROUP_ASYNC_MILLIS = 60_000;
  /** Default {@link #preallocateBytes()}: 1 MiB. */
  public static final long DEFAULT_PREALLOCATE_BYTES = 1L << 20;
  /** Largest accepted {@link #preallocateBytes()}: 1 GiB. */
  public static final long MAX_PREALLOCATE_BYTES = 1L << 30;

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException if {@code segmentBytes}, {@code groupAsyncMillis},
   *     {@code keepSegments} or {@code preallocateBytes} is out of range; the message names the
   *     value and the range
   * @throws NullPointerException if {@code durability} or {@code channels} is null
   */
  public WalOptions {
    if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException("segmentBytes must be in [" + MIN_SEGMENT_BYTES + ", "
          + MAX_SEGMENT_BYTES + "], was " + segmentBytes);
    }
    Objects.requireNonNull(durability, "durability");
    if (groupAsyncMillis < 1 || groupAsyncMillis > MAX_GROUP_ASYNC_MILLIS) {
      throw new IllegalArgumentException("groupAsyncMillis must be in [1, "
          + MAX_GROUP_ASYNC_MILLIS + "], was " + groupAsyncMillis);
    }
    if (keepSegments < 0) {
      throw new IllegalArgumentException("keepSegments must be >= 0, was " + keepSegments);
    }
    if (preallocateBytes < 0 || preallocateBytes > MAX_PREALLOCATE_BYTES) {
      throw new IllegalArgumentException("preallocateBytes must be in [0, "
          + MAX_PREALLOCATE_BYTES + "], was " + preallocateBytes);
    }
    Objects.requireNonNull(channels, "channels");
  }

  /**
   * Options with the default {@link #preallocateBytes()}; the constructor of the options before
   * preallocation existed.
   *
   * @param segmentBytes see {@link #segmentBytes()}
   * @param durability see {@link #durability()}
   * @param groupAsyncMillis see {@link #groupAsyncMillis()}
   * @param keepSegments see {@link #keepSegments()}
   * @param channels see {@link #channels()}
   * @throws IllegalArgumentException as the canonical constructor
   * @throws NullPointerException as the canonical constructor
   */
  public WalOptions(long segmentBytes, Durability durability, long groupAsyncMillis,
      int keepSegments, WalChannels channels) {
    this(segmentBytes, durability, groupAsyncMillis, keepSegments, DEFAULT_PREALLOCATE_BYTES,
        channels);
  }

  /**
   * Returns the defaults: 64 MiB segments, {@link Durability#SYNC}, a 10 ms group-async
   * interval, keep no extra segments, preallocate 1 MiB, {@link WalChannels#DEFAULT}.
   *
   * @return the default options
   */
  public static WalOptions defaults() {
    return new WalOptions(DEFAULT_SEGMENT_BYTES, Durability.SYNC, DEFAULT_GROUP_ASYNC_MILLIS, 0,
        DEFAULT_PREALLOCATE_BYTES, WalChannels.DEFAULT);
  }

  /**
   * Returns a copy with another segment size.
   *
   * @param bytes the new {@link #segmentBytes()}
   * @return the modified copy
   * @throws IllegalArgumentException if {@code bytes} is out of range
   */
  public WalOptions withSegmentBytes(long bytes) {
    return new WalOptions(bytes, durability, groupAsyncMillis, keepSegments, preallocateBytes,
        channels);
  }

  /**
   * Returns a copy with another durability mode.
   *
   * @param mode the new {@link #durability()}
   * @return the modified copy
   */
  public WalOptions withDurability(Durability mode) {
    return new WalOptions(segmentBytes, mode, groupAsyncMillis, keepSegments, preallocateBytes,
        channels);
  }

  /**
   * Returns a copy with another group-async interval.
   *
   * @param millis the new {@link #groupAsyncMillis()}
   * @return the modified copy
   * @throws IllegalArgumentException if {@code millis} is out of range
   */
  public WalOptions withGroupAsyncMillis(long millis) {
    return new WalOptions(segmentBytes, durability, millis, keepSegments, preallocateBytes,
        channels);
  }

  /**
   * Returns a copy that keeps another number of deletable segments.
   *
   * @param count the new {@link #keepSegments()}
   * @return the modified copy
   * @throws IllegalArgumentException if {@code count < 0}
   */
  public WalOptions withKeepSegments(int count) {
    return new WalOptions(segmentBytes, durability, groupAsyncMillis, count, preallocateBytes,
        channels);
  }

  /**
   * Returns a copy that zero-fills another distance ahead of the last record.
   *
   * @param bytes the new {@link #preallocateBytes()}; 0 turns preallocation off
   * @return the modified copy
   * @throws IllegalArgumentException if {@code bytes} is out of range
   */
  public WalOptions withPreallocateBytes(long bytes) {
    return new WalOptions(segmentBytes, durability, groupAsyncMillis, keepSegments, bytes,
        channels);
  }

  /**
   * Returns a copy with another channel factory.
   *
   * @param factory the new {@link #channels()}
   * @return the modified copy
   */
  public WalOptions withChannels(WalChannels factory) {
    return new WalOptions(segmentBytes, durability, groupAsyncMillis, keepSegments,
        preallocateBytes, factory);
  }
}
