package io.treestore.btree;

import io.treestore.btree.internal.Engine;
import org.jspecify.annotations.Nullable;

/**
 * A flush whose state was captured by {@link BTreeFile#startFlush} and is not yet written.
 * {@link #complete()} writes it; {@link #close()} abandons it if it was not completed. Either
 * releases the file's flush lock, so call one of them, on the thread that started the flush.
 */
public final class PendingFlush implements AutoCloseable {
  private final Engine engine;
  private final Engine.@Nullable FlushJob job;
  private boolean done;

  PendingFlush(Engine engine, Engine.@Nullable FlushJob job) {
    this.engine = engine;
    this.job = job;
  }

  /**
   * Writes the captured state, syncs it and switches the meta page. Writers are not blocked
   * meanwhile.
   *
   * @return the durable generation after the flush (unchanged if nothing had changed)
   * @throws IllegalStateException if already completed or closed
   * @throws io.treestore.page.StorageException on an I/O error; nothing became durable and
   *     the changes stay pending for the next flush (after a failed sync the file is read-only)
   */
  public long complete() {
    if (done) {
      throw new IllegalStateException("flush already completed or closed");
    }
    done = true;
    try {
      return job == null ? engine.file.meta().generation() : engine.completeFlush(job);
    } finally {
      engine.flushLock.unlock();
    }
  }

  /** Abandons the flush if it was not completed; its changes stay pending. Idempotent. */
  @Override
  public void close() {
    if (!done) {
      done = true;
      if (job != null) {
        engine.abandonFlush(job);
      }
      engine.flushLock.unlock();
    }
  }
}
