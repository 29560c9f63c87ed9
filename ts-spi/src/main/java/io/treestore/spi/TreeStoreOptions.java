package io.treestore.spi;

import io.treestore.txn.DatabaseOptions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to open a {@link TreeStore}.
 *
 * @param database the database options (durability, cache, checkpoints ...)
 * @param discover whether to find {@link StoreProvider}s with {@link java.util.ServiceLoader}
 * @param providers providers to use in addition to (or, without discovery, instead of) the
 *     discovered ones
 * @param settings free-form settings; entries {@code store.<name>.<key>} reach store
 *     {@code <name>} through {@link StoreContext#settings()}
 * @param clock the clock stores use for timestamps and "today"
 */
public record TreeStoreOptions(DatabaseOptions database, boolean discover,
    List<StoreProvider> providers, Map<String, String> settings, Clock clock) {
  /**
   * Copies the collections.
   *
   * @throws NullPointerException if an argument is null
   */
  public TreeStoreOptions {
    Objects.requireNonNull(database, "database");
    providers = List.copyOf(providers);
    settings = Map.copyOf(settings);
    Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns the defaults: default database options (SYNC durability), discovery on, no extra
   * providers or settings, the UTC system clock.
   *
   * @return the options
   */
  public static TreeStoreOptions defaults() {
    return new TreeStoreOptions(DatabaseOptions.defaults(), true, List.of(), Map.of(),
        Clock.systemUTC());
  }

  /**
   * Returns these options with other database options.
   *
   * @param options the database options
   * @return new options
   */
  public TreeStoreOptions withDatabase(DatabaseOptions options) {
    return new TreeStoreOptions(options, discover, providers, settings, clock);
  }

  /**
   * Returns these options with discovery on or off.
   *
   * @param on whether to use {@link java.util.ServiceLoader}
   * @return new options
   */
  public TreeStoreOptions withDiscovery(boolean on) {
    return new TreeStoreOptions(database, on, providers, settings, clock);
  }

  /**
   * Returns these options with explicit providers.
   *
   * @param list the providers
   * @return new options
   */
  public TreeStoreOptions withProviders(List<StoreProvider> list) {
    return new TreeStoreOptions(database, discover, list, settings, clock);
  }

  /**
   * Returns these options with settings.
   *
   * @param map the settings
   * @return new options
   */
  public TreeStoreOptions withSettings(Map<String, String> map) {
    return new TreeStoreOptions(database, discover, providers, map, clock);
  }

  /**
   * Returns these options with another clock.
   *
   * @param c the clock
   * @return new options
   */
  public TreeStoreOptions withClock(Clock c) {
    return new TreeStoreOptions(database, discover, providers, settings, c);
  }
}
