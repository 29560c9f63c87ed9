package io.treestore.txn;

import io.treestore.page.ChannelFactory;
import io.treestore.page.PageFile;
import io.treestore.wal.Durability;
import io.treestore.wal.WalChannels;
import io.treestore.wal.WalOptions;
import java.util.List;
import java.util.Objects;

/**
 * How to open a {@link Database}. Immutable; {@code with...} methods return modified copies.
 * None of the settings is mutable while the database is open.
 *
 * @param pageSize bytes per page of a new data file: a power of two in [4096, 65536], default
 *     4096; an existing file keeps its own
 * @param cacheBytes page cache capacity in bytes, {@code >= 0}, default 64 MiB
 * @param durability when a commit is acknowledged: {@link Durability#SYNC} (default; the
 *     commit's log record is fsynced, shared with concurrent commits by group commit),
 *     {@link Durability#GROUP_ASYNC} (fsynced within {@code groupAsyncMillis}) or
 *     {@link Durability#NONE} (never fsynced; tests and bulk loads)
 * @param groupAsyncMillis the fsync interval of {@code GROUP_ASYNC}, in [1, 60000] ms,
 *     default 10
 * @param walSegmentBytes log segment size in bytes, default 64 MiB
 * @param walKeepSegments log segments older than the last checkpoint to keep, default 0
 * @param checkpointWalBytes start a checkpoint once the log has grown by this many bytes since
 *     the last one, {@code >= 0}, default 64 MiB; 0 disables this trigger
 * @param checkpointIntervalMillis start a checkpoint this many milliseconds after the last one
 *     if anything was committed since, {@code >= 0}, default 60000; 0 disables this trigger
 * @param mergeOperators operators usable with {@link Transaction#merge}, in addition to
 *     {@link MergeOperator#INT64_ADD} which is always available; names must be unique
 * @param pageChannels opens the data file's channels (tests inject faults here)
 * @param walChannels opens the log's channels (tests inject faults here)
 */
public record DatabaseOptions(int pageSize, long cacheBytes, Durability durability,
    long groupAsyncMillis, long walSegmentBytes, int walKeepSegments, long checkpointWalBytes,
    long checkpointIntervalMillis, List<MergeOperator> mergeOperators,
    ChannelFactory pageChannels, WalChannels walChannels) {

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException if a value is out of range, naming it and the range
   */
  public DatabaseOptions {
    if (Integer.bitCount(pageSize) != 1 || pageSize < PageFile.MIN_PAGE_SIZE
        || pageSize > PageFile.MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("pageSize must be a power of two in ["
          + PageFile.MIN_PAGE_SIZE + ", " + PageFile.MAX_PAGE_SIZE + "], was " + pageSize);
    }
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("cacheBytes must be >= 0, was " + cacheBytes);
    }
    if (checkpointWalBytes < 0) {
      throw new IllegalArgumentException("checkpointWalBytes must be >= 0, was "
          + checkpointWalBytes);
    }
    if (checkpointIntervalMillis < 0) {
      throw new IllegalArgumentException("checkpointIntervalMillis must be >= 0, was "
          + checkpointIntervalMillis);
    }
    Objects.requireNonNull(durability, "durability");
    mergeOperators = List.copyOf(mergeOperators);
    Objects.requireNonNull(pageChannels, "pageChannels");
    Objects.requireNonNull(walChannels, "walChannels");
    // Validates the log settings with the log's own messages.
    new WalOptions(walSegmentBytes, durability, groupAsyncMillis, walKeepSegments, walChannels);
  }

  /**
   * Returns the defaults: 4 KiB pages, 64 MiB cache, {@code SYNC}, 64 MiB segments, checkpoint
   * every 64 MiB of log or 60 s.
   *
   * @return the default options
   */
  public static DatabaseOptions defaults() {
    return new DatabaseOptions(PageFile.DEFAULT_PAGE_SIZE, 64L << 20, Durability.SYNC,
        WalOptions.DEFAULT_GROUP_ASYNC_MILLIS, WalOptions.DEFAULT_SEGMENT_BYTES, 0, 64L << 20,
        60_000, List.of(), ChannelFactory.DEFAULT, WalChannels.DEFAULT);
  }

  /**
   * Returns a copy with another durability mode.
   *
   * @param mode the mode
   * @return the modified options
   */
  public DatabaseOptions withDurability(Durability mode) {
    return new DatabaseOptions(pageSize, cacheBytes, mode, groupAsyncMillis, walSegmentBytes,
        walKeepSegments, checkpointWalBytes, checkpointIntervalMillis, mergeOperators,
        pageChannels, walChannels);
  }

  /**
   * Returns a copy with another cache capacity.
   *
   * @param bytes bytes of page data, {@code >= 0}
   * @return the modified options
   */
  public DatabaseOptions withCacheBytes(long bytes) {
    return new DatabaseOptions(pageSize, bytes, durability, groupAsyncMillis, walSegmentBytes,
        walKeepSegments, checkpointWalBytes, checkpointIntervalMillis, mergeOperators,
        pageChannels, walChannels);
  }

  /**
   * Returns a copy with another page size (for new data files).
   *
   * @param bytes a power of two in [4096, 65536]
   * @return the modified options
   */
  public DatabaseOptions withPageSize(int bytes) {
    return new DatabaseOptions(bytes, cacheBytes, durability, groupAsyncMillis, walSegmentBytes,
        walKeepSegments, checkpointWalBytes, checkpointIntervalMillis, mergeOperators,
        pageChannels, walChannels);
  }

  /**
   * Returns a copy with other checkpoint triggers.
   *
   * @param walBytes log growth in bytes that starts a checkpoint, 0 to disable
   * @param intervalMillis time in ms after which a checkpoint starts, 0 to disable
   * @return the modified options
   */
  public DatabaseOptions withCheckpoints(long walBytes, long intervalMillis) {
    return new DatabaseOptions(pageSize, cacheBytes, durability, groupAsyncMillis,
        walSegmentBytes, walKeepSegments, walBytes, intervalMillis, mergeOperators,
        pageChannels, walChannels);
  }

  /**
   * Returns a copy with another log segment size and retention.
   *
   * @param segmentBytes bytes per segment
   * @param keepSegments segments older than the last checkpoint to keep
   * @return the modified options
   */
  public DatabaseOptions withWalSegments(long segmentBytes, int keepSegments) {
    return new DatabaseOptions(pageSize, cacheBytes, durability, groupAsyncMillis, segmentBytes,
        keepSegments, checkpointWalBytes, checkpointIntervalMillis, mergeOperators,
        pageChannels, walChannels);
  }

  /**
   * Returns a copy with additional merge operators.
   *
   * @param operators the operators
   * @return the modified options
   */
  public DatabaseOptions withMergeOperators(List<MergeOperator> operators) {
    return new DatabaseOptions(pageSize, cacheBytes, durability, groupAsyncMillis,
        walSegmentBytes, walKeepSegments, checkpointWalBytes, checkpointIntervalMillis,
        operators, pageChannels, walChannels);
  }

  /**
   * Returns a copy with other channel factories (fault injection in tests).
   *
   * @param pages opens the data file
   * @param wal opens the log files
   * @return the modified options
   */
  public DatabaseOptions withChannels(ChannelFactory pages, WalChannels wal) {
    return new DatabaseOptions(pageSize, cacheBytes, durability, groupAsyncMillis,
        walSegmentBytes, walKeepSegments, checkpointWalBytes, checkpointIntervalMillis,
        mergeOperators, pages, wal);
  }

  WalOptions walOptions() {
    return new WalOptions(walSegmentBytes, durability, groupAsyncMillis, walKeepSegments,
        walChannels);
  }
}
