package io.treestore.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * A {@link FileChannel} that forwards everything to another one, with one overridable hook per
 * kind of mutation ({@link #write(ByteBuffer, long)}, {@link #truncate}, {@link #force}). The
 * fault-injecting, counting, recording and crash-point channels of the modules' tests extend
 * it.
 * Writes without a position are forwarded as positional writes at the channel's position, so
 * that subclasses see every byte written through one method.
 */
public class DelegatingChannel extends FileChannel {
  /** The channel every call is forwarded to. */
  protected final FileChannel d;
  /** The file this channel is open on. */
  protected final Path path;

  /**
   * Wraps a channel.
   *
   * @param d the channel to forward to
   * @param path the file it is open on
   */
  public DelegatingChannel(FileChannel d, Path path) {
    this.d = d;
    this.path = path;
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return d.write(src, position);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    long p = d.position();
    int n = write(src, p);
    d.position(p + n);
    return n;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      while (srcs[i].hasRemaining()) {
        total += write(srcs[i]);
      }
    }
    return total;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    d.force(metaData);
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    d.truncate(size);
    return this;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return d.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return d.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return d.read(dst, position);
  }

  @Override
  public long position() throws IOException {
    return d.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    d.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return d.size();
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target)
      throws IOException {
    return d.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count)
      throws IOException {
    throw new IOException("transferFrom is not supported by the test channels");
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    if (mode != MapMode.READ_ONLY) {
      throw new IOException("writable mappings are not supported by the test channels");
    }
    return d.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return d.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return d.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    d.close();
  }
}
