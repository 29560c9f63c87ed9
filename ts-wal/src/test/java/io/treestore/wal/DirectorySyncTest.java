package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directory syncs around segment creation.
 *
 * <p>Proves that every segment file, the first one and every one created by rotation, is
 * synced ({@code force}) after its header is written and that the directory is synced after
 * it is created and before any record is written to it, so that a new segment survives power
 * loss; and that a new log directory's parent is synced too.
 */
class DirectorySyncTest {
  @TempDir Path tmp;

  @Test
  void directoryIsSyncedAfterEverySegmentCreation() {
    FaultyChannels ch = new FaultyChannels();
    Path dir = tmp.resolve("log");
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withSegmentBytes(4096)
        .withChannels(ch))) {
      assertEquals(1, ch.forces(dir), "first segment");
      assertEquals(1, ch.forces(tmp), "the new log directory's parent");
      for (int i = 0; i < 30; i++) {
        wal.append((byte) 1, new byte[1100]);
      }
      List<Path> segs = Logs.segments(dir);
      assertEquals(10, segs.size());
      assertEquals(segs.size(), ch.forces(dir), "one directory sync per created segment");
      List<String> ev = ch.events();
      String dirName = dir.getFileName().toString();
      for (Path s : segs) {
        String name = s.getFileName().toString();
        int created = ev.indexOf("create " + name);
        assertTrue(created >= 0, name + " created: " + ev);
        int header = ev.subList(created, ev.size()).indexOf("write " + name) + created;
        int fileSync = ev.subList(header, ev.size()).indexOf("force " + name) + header;
        int dirSync = ev.subList(fileSync, ev.size()).indexOf("force " + dirName) + fileSync;
        int firstRecord = ev.subList(header + 1, ev.size()).indexOf("write " + name)
            + header + 1;
        assertTrue(header > created && fileSync > header && dirSync > fileSync
            && firstRecord > dirSync, name + ": create, header, sync, dir sync, record: " + ev);
      }
    }
  }
}
