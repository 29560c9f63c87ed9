package io.treestore.bench;

import io.treestore.wal.Wal;
import io.treestore.wal.WalOptions;
import io.treestore.wal.WalStats;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * TreeStore's log alone, as a baseline under {@link TxnPeer#TREESTORE}: a {@link Wal} with
 * {@link WalOptions#defaults()} (durability {@code SYNC}, 64 MiB segments, 1 MiB of zeros
 * written ahead of the last record). A commit encodes its rows into one payload (per row: key
 * length, key, value length, value; the size of a {@code Database} commit record give or take
 * a few bytes) and calls {@link Wal#append(byte, byte[])}, which returns once the record is
 * written and {@code fdatasync}ed with its group. No transaction, no conflict check, no
 * B+Tree: what remains is the log's own group commit, framing, checksum and wake-ups. The log
 * is thread-safe, so a session is just the shared log.
 */
final class TxnWalPeer implements TxnPeer {
  private final Wal wal;

  TxnWalPeer(Path dir) {
    this.wal = Wal.open(dir, WalOptions.defaults());
  }

  @Override
  public Session session() {
    return new Session() {
      @Override
      public void commit(byte[][] keys, byte[][] values) {
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
          n += 8 + keys[i].length + values[i].length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < keys.length; i++) {
          b.putInt(keys[i].length).put(keys[i]).putInt(values[i].length).put(values[i]);
        }
        wal.append((byte) 1, b.array());
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String settings() {
    WalOptions o = WalOptions.defaults();
    return "wal (TreeStore's log alone) durability=" + o.durability() + " segmentBytes="
        + o.segmentBytes() + " preallocateBytes=" + o.preallocateBytes();
  }

  @Override
  public String report() {
    WalStats s = wal.stats();
    return String.format("wal records=%d groups=%d recordsPerGroup=%.2f syncMicrosPerGroup=%.1f"
        + " bytes=%d", s.records(), s.groups(), s.records() / (double) Math.max(1, s.groups()),
        s.syncNanos() / 1e3 / Math.max(1, s.syncs()), s.bytes());
  }

  @Override
  public void close() {
    wal.close();
  }
}
