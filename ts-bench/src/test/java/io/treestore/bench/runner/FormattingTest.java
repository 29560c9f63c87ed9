package io.treestore.bench.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit conversions and number formats of the report, and the parts of the workload plan. */
class FormattingTest {
  @Test
  void scoreUnitsBecomeNanosecondsAndRates() {
    assertEquals(1, Measurement.nanos("ns/op"));
    assertEquals(1e3, Measurement.nanos("us/op"));
    assertEquals(1e6, Measurement.nanos("ms/op"));
    assertEquals(1e9, Measurement.nanos("s/op"));
    assertEquals(1, Measurement.perSecond("ops/s"));
    assertEquals(1e3, Measurement.perSecond("ops/ms"));
    assertThrows(IllegalArgumentException.class, () -> Measurement.nanos("h/op"));
  }

  @Test
  void timesBytesAndRatiosAreFormattedWithTheirUnit() {
    assertEquals("812 ns", Report.time(812));
    assertEquals("45.2 µs", Report.time(45_200));
    assertEquals("3.10 ms", Report.time(3_100_000));
    assertEquals("125 ms", Report.time(125_000_000));
    assertEquals("1.25 s", Report.time(1_250_000_000));
    assertEquals("12.3 MB", Report.bytes(12_300_000.0));
    assertEquals("—", Report.bytes(null));
    assertEquals("2.31", Report.ratio(2.3149));
  }

  @Test
  void everyProfileHasEveryFamilyWithTheRealTrees() {
    for (Profile p : Profile.values()) {
      List<Workload> all = Workload.all(p, true);
      assertEquals(BenchmarkRunner.FAMILIES, all.stream().map(Workload::id).toList());
      assertEquals("real", p.corpora().get(p.corpora().size() - 1));
      for (Workload w : all) {
        assertEquals(Workload.TREESTORE, w.engines().get(0), w.id());
      }
    }
    Workload reads = Workload.all(Profile.DEFAULT, true).get(1);
    assertEquals(6 * 3 * 2, reads.trials());
    assertEquals(6 * 2 * 2, Workload.all(Profile.DEFAULT, false).get(1).trials());
    assertEquals("^\\QStoresBenchmark\\E\\.(\\QgetNode\\E)$",
        new Workload.Part("StoresBenchmark", List.of("getNode"), java.util.Map.of(), false)
            .include());
    assertThrows(IllegalArgumentException.class, () -> Profile.of("huge"));
    assertEquals(Profile.ONE_M, Profile.of("1M"));
  }
}
