package io.treestore.btree;

import io.treestore.page.ChannelFactory;
import io.treestore.testkit.DelegatingChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** A channel factory whose channels count the bytes written and the syncs, for cost tests. */
final class CountingChannels implements ChannelFactory {
  final AtomicLong bytesWritten = new AtomicLong();
  final AtomicLong syncs = new AtomicLong();

  @Override
  public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
    return new Counting(FileChannel.open(path, options), path);
  }

  private final class Counting extends DelegatingChannel {
    Counting(FileChannel d, Path path) {
      super(d, path);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      int n = super.write(src, position);
      bytesWritten.addAndGet(n);
      return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      syncs.incrementAndGet();
      super.force(metaData);
    }
  }
}
