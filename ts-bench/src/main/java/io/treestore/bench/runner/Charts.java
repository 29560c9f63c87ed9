package io.treestore.bench.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.imageio.ImageIO;
import org.jspecify.annotations.Nullable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * One bar chart per family (XChart, PNG): a group of bars per operation and data set, one bar
 * per engine, the height the comparison time in microseconds ({@link Measurement#timeNs}: p50
 * for sampled and single-shot trials, the mean for average-time ones), on a logarithmic axis
 * when the values span more than a factor of 20. Missing trials leave a gap. Charts are drawn
 * off screen ({@code java.awt.headless}). Stateless and thread-safe.
 */
final class Charts {
  private Charts() {}

  /**
   * Draws a family's chart.
   *
   * @param w the family
   * @param ms its measurements (context rows without an engine are left out)
   * @param file the PNG file to write
   * @return {@code true} if a chart was written ({@code false}: no measurement to draw)
   * @throws IOException if the file cannot be written
   */
  static boolean write(Workload w, List<Measurement> ms, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Measurement> rows = ms.stream().filter(m -> m.engine() != null).toList();
    if (rows.isEmpty()) {
      return false;
    }
    Set<String> datasets = new LinkedHashSet<>();
    Set<String> ops = new LinkedHashSet<>();
    for (Measurement m : rows) {
      datasets.add(m.dataset());
      ops.add(m.operation());
    }
    List<String[]> keys = new ArrayList<>(); // {dataset, operation}
    List<String> categories = new ArrayList<>();
    for (String d : datasets) {
      for (String op : ops) {
        if (rows.stream().anyMatch(m -> m.dataset().equals(d) && m.operation().equals(op))) {
          keys.add(new String[] {d, op});
          categories.add(datasets.size() > 1 ? op + " (" + d + ")" : op);
        }
      }
    }
    double min = Double.MAX_VALUE;
    double max = 0;
    for (Measurement m : rows) {
      min = Math.min(min, m.timeNs() / 1e3);
      max = Math.max(max, m.timeNs() / 1e3);
    }
    boolean log = max / Math.max(min, 1e-9) > 20;
    CategoryChart chart = new CategoryChartBuilder().width(Math.max(900, 120 * categories
        .size() + 300)).height(650).title(w.title() + " — time per operation")
        .xAxisTitle("operation").yAxisTitle("µs per operation (p50; mean for average-time"
            + " trials)" + (log ? ", log scale" : "")).build();
    chart.getStyler().setYAxisLogarithmic(log);
    if (log) {
      // bars start at the axis minimum, which must be above 0 on a log axis
      chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
    }
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setXAxisLabelRotation(categories.size() > 4 ? 30 : 0);
    chart.getStyler().setChartTitleVisible(true);
    for (String engine : w.engines()) {
      List<@Nullable Double> values = new ArrayList<>();
      boolean any = false;
      for (String[] k : keys) {
        Double v = rows.stream().filter(m -> Objects.equals(m.engine(), engine)
            && m.dataset().equals(k[0]) && m.operation().equals(k[1]))
            .map(m -> m.timeNs() / 1e3).findFirst().orElse(null);
        values.add(v);
        any |= v != null;
      }
      if (any) {
        chart.addSeries(Workload.engineName(engine), categories, values);
      }
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile())) {
      throw new IOException("no PNG writer in this JVM");
    }
    return true;
  }
}
