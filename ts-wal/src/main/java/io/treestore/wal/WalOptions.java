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
 * @param channels opens the segment files and syncs the directory; {@link
 *     WalChannels#DEFAULT} except in tests that inject faults or count syncs
 */
public record WalOptions(long segmentBytes, Durability durability, long groupAsyncMillis,
    int keepSegments, WalChannels channels) {
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

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException if {@code segmentBytes}, {@code groupAsyncMillis} or
   *     {@code keepSegments} is out of range; the message names the value and the range
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
    Objects.requireNonNull(channels, "channels");
  }

  /**
   * Returns the defaults: 64 MiB segments, {@link Durability#SYNC}, a 10 ms group-async
   * interval, keep no extra segments, {@link WalChannels#DEFAULT}.
   *
   * @return the default options
   */
  public static WalOptions defaults() {
    return new WalOptions(DEFAULT_SEGMENT_BYTES, Durability.SYNC, DEFAULT_GROUP_ASYNC_MILLIS, 0,
        WalChannels.DEFAULT);
  }

  /**
   * Returns a copy with another segment size.
   *
   * @param bytes the new {@link #segmentBytes()}
   * @return the modified copy
   * @throws IllegalArgumentException if {@code bytes} is out of range
   */
  public WalOptions withSegmentBytes(long bytes) {
    return new WalOptions(bytes, durability, groupAsyncMillis, keepSegments, channels);
  }

  /**
   * Returns a copy with another durability mode.
   *
   * @param mode the new {@link #durability()}
   * @return the modified copy
   */
  public WalOptions withDurability(Durability mode) {
    return new WalOptions(segmentBytes, mode, groupAsyncMillis, keepSegments, channels);
  }

  /**
   * Returns a copy with another group-async interval.
   *
   * @param millis the new {@link #groupAsyncMillis()}
   * @return the modified copy
   * @throws IllegalArgumentException if {@code millis} is out of range
   */
  public WalOptions withGroupAsyncMillis(long millis) {
    return new WalOptions(segmentBytes, durability, millis, keepSegments, channels);
  }

  /**
   * Returns a copy that keeps another number of deletable segments.
   *
   * @param count the new {@link #keepSegments()}
   * @return the modified copy
   * @throws IllegalArgumentException if {@code count < 0}
   */
  public WalOptions withKeepSegments(int count) {
    return new WalOptions(segmentBytes, durability, groupAsyncMillis, count, channels);
  }

  /**
   * Returns a copy with another channel factory.
   *
   * @param factory the new {@link #channels()}
   * @return the modified copy
   */
  public WalOptions withChannels(WalChannels factory) {
    return new WalOptions(segmentBytes, durability, groupAsyncMillis, keepSegments, factory);
  }
}
