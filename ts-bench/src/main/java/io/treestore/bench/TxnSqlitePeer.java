package io.treestore.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.sqlite.SQLiteConfig;

/**
 * SQLite adapter (xerial sqlite-jdbc, which bundles the SQLite library): one table
 * {@code kv (k BLOB PRIMARY KEY, v BLOB)} in {@code txn.db}.
 *
 * <p>Every connection is opened with {@code journal_mode=WAL}, {@code synchronous=FULL} (in
 * WAL mode SQLite then fsyncs the WAL at every commit, so a committed transaction survives a
 * power loss) and {@code busy_timeout=60000} ms. Everything else is SQLite's default, notably
 * automatic WAL checkpoints every 1000 pages, run by the committing connection.
 *
 * <p>A session is one connection in JDBC auto-commit mode with prepared statements
 * {@code BEGIN IMMEDIATE}, {@code INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)} and
 * {@code COMMIT}; a commit runs {@code BEGIN IMMEDIATE} (taking the write lock at once, so
 * concurrent writers queue in the busy handler instead of failing with
 * {@code SQLITE_BUSY_SNAPSHOT}), binds and runs the insert per row (as a JDBC batch for more
 * than one row), then {@code COMMIT}. The transaction statements are explicit because
 * sqlite-jdbc with auto-commit off begins the next transaction right after each commit, which
 * in {@code IMMEDIATE} mode would hold the write lock between transactions and starve the
 * other connections.
 */
final class TxnSqlitePeer implements TxnPeer {
  private final String url;
  private final Properties props;
  private final Connection admin;
  private final ConcurrentLinkedQueue<SqliteSession> sessions = new ConcurrentLinkedQueue<>();
  private final LongAdder commits = new LongAdder();

  TxnSqlitePeer(Path dir) {
    this.url = "jdbc:sqlite:" + dir.resolve("txn.db");
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(60_000);
    this.props = config.toProperties();
    try {
      this.admin = connect();
      try (Statement s = admin.createStatement()) {
        s.executeUpdate("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB)");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("sqlite: cannot create " + url + ": " + e, e);
    }
  }

  private Connection connect() throws SQLException {
    // Direct driver call: no dependence on DriverManager's service lookup in the shaded jar.
    Connection c = org.sqlite.JDBC.createConnection(url, props);
    if (c == null) {
      throw new SQLException("sqlite driver did not accept " + url);
    }
    return c;
  }

  @Override
  public Session session() {
    try {
      SqliteSession s = new SqliteSession(connect(), commits);
      sessions.add(s);
      return s;
    } catch (SQLException e) {
      throw new IllegalStateException("sqlite: cannot open a session: " + e, e);
    }
  }

  @Override
  public String settings() {
    try (Statement s = admin.createStatement()) {
      return "sqlite version=" + one(s, "SELECT sqlite_version()") + " journal_mode="
          + one(s, "PRAGMA journal_mode") + " synchronous=" + one(s, "PRAGMA synchronous")
          + " (2=FULL) wal_autocheckpoint=" + one(s, "PRAGMA wal_autocheckpoint")
          + " page_size=" + one(s, "PRAGMA page_size") + " busy_timeout="
          + one(s, "PRAGMA busy_timeout") + " locking_mode=" + one(s, "PRAGMA locking_mode")
          + " transactions=BEGIN IMMEDIATE..COMMIT";
    } catch (SQLException e) {
      throw new IllegalStateException("sqlite: cannot read settings: " + e, e);
    }
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getString(1) : "?";
    }
  }

  @Override
  public String report() {
    try (Statement s = admin.createStatement()) {
      return "sqlite commits=" + commits.sum() + " rows=" + one(s, "SELECT count(*) FROM kv")
          + " pages=" + one(s, "PRAGMA page_count");
    } catch (SQLException e) {
      return "sqlite report failed: " + e;
    }
  }

  @Override
  public void close() {
    SqliteSession s;
    while ((s = sessions.poll()) != null) {
      s.close();
    }
    try {
      admin.close();
    } catch (SQLException e) {
      throw new IllegalStateException("sqlite: close failed: " + e, e);
    }
  }

  /** A connection with its prepared statements. */
  private static final class SqliteSession implements Session {
    private final Connection c;
    private final PreparedStatement begin;
    private final PreparedStatement insert;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final LongAdder commits;
    private boolean closed;

    SqliteSession(Connection c, LongAdder commits) throws SQLException {
      this.c = c;
      this.commits = commits;
      this.begin = c.prepareStatement("BEGIN IMMEDIATE");
      this.insert = c.prepareStatement("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)");
      this.commit = c.prepareStatement("COMMIT");
      this.rollback = c.prepareStatement("ROLLBACK");
    }

    @Override
    public void commit(byte[][] keys, byte[][] values) {
      try {
        begin.execute();
        if (keys.length == 1) {
          insert.setBytes(1, keys[0]);
          insert.setBytes(2, values[0]);
          insert.executeUpdate();
        } else {
          for (int i = 0; i < keys.length; i++) {
            insert.setBytes(1, keys[i]);
            insert.setBytes(2, values[i]);
            insert.addBatch();
          }
          insert.executeBatch();
        }
        commit.execute();
        commits.increment();
      } catch (SQLException e) {
        try {
          rollback.execute(); // fails harmlessly if BEGIN itself failed
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        throw new IllegalStateException("sqlite commit failed: " + e, e);
      }
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        begin.close();
        insert.close();
        commit.close();
        rollback.close();
        c.close();
      } catch (SQLException e) {
        throw new IllegalStateException("sqlite: session close failed: " + e, e);
      }
    }
  }
}
