package dev.statefront.tests.cdc;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A PostgreSQL table of accounts changed at random (seeded): inserts, updates of every column including the
 * grouping ones, deletes, in transactions of one to five changes; plus the views over it and their oracles,
 * computed by SQL in PostgreSQL.
 */
final class Accounts {
    static final String[] REGIONS = {"r0", "r1", "r2", "r3", "r4"};
    private static final String[] TIERS = {"gold", "silver", "bronze"};
    private static final long T0 = 1_700_000_000_000L;

    final String table;
    private final Random rnd;
    private final List<Long> live = new ArrayList<>();
    private long nextId = 1;

    Accounts(String table, long seed) {
        this.table = table;
        this.rnd = new Random(seed);
    }

    void create() throws SQLException {
        TestPostgres.exec("DROP TABLE IF EXISTS " + table, "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, "
                + "region VARCHAR(8) NOT NULL, tier VARCHAR(8) NOT NULL, owner VARCHAR(8) NOT NULL, balance BIGINT NOT NULL, "
                + "price NUMERIC(12,2), updated TIMESTAMP(3))");
    }

    /** The Statefront SQL: the table and three views over it. */
    String sql(String topic) {
        return "CREATE TABLE accounts (id BIGINT PRIMARY KEY, region VARCHAR, tier VARCHAR, owner VARCHAR, "
                + "balance BIGINT, price DECIMAL(12,2), updated TIMESTAMP)\n"
                + "  WITH (connector = 'postgres-cdc', url = '" + TestPostgres.URL + "', table = 'public." + table
                + "', user = '" + TestPostgres.USER + "', password = '" + TestPostgres.PASSWORD + "', topic = '"
                + topic + "');\n"
                + "CREATE MATERIALIZED VIEW by_region AS SELECT region, COUNT(*) AS n, SUM(balance) AS total,\n"
                + "  MIN(balance) AS lo, MAX(balance) AS hi, AVG(balance) AS mean, COUNT(DISTINCT owner) AS owners\n"
                + "  FROM accounts GROUP BY region;\n"
                + "CREATE MATERIALIZED VIEW by_region_tier AS SELECT region, tier, COUNT(*) AS n, SUM(price) AS val,\n"
                + "  MAX(updated) AS ts_last FROM accounts WHERE balance > 0 GROUP BY region, tier;\n"
                + "CREATE MATERIALIZED VIEW rich AS SELECT id, region, balance FROM accounts WHERE balance >= 900;\n";
    }

    static final List<String> VIEWS = List.of("by_region", "by_region_tier", "rich");

    List<Map<String, Object>> byRegion() throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Object> r : TestPostgres.query("SELECT region, COUNT(*), SUM(balance), MIN(balance), MAX(balance), "
                + "COUNT(DISTINCT owner) FROM " + table + " GROUP BY region")) {
            long n = ((Number) r.get(1)).longValue();
            long total = ((Number) r.get(2)).longValue();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("region", r.get(0));
            m.put("n", n);
            m.put("total", total);
            m.put("lo", ((Number) r.get(3)).longValue());
            m.put("hi", ((Number) r.get(4)).longValue());
            m.put("mean", (double) total / n);
            m.put("owners", ((Number) r.get(5)).longValue());
            out.add(m);
        }
        return out;
    }

    List<Map<String, Object>> byRegionTier() throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Object> r : TestPostgres.query("SELECT region, tier, COUNT(*), SUM(price), "
                + "(EXTRACT(EPOCH FROM MAX(updated)) * 1000)::bigint FROM " + table + " WHERE balance > 0 "
                + "GROUP BY region, tier")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("region", r.get(0));
            m.put("tier", r.get(1));
            m.put("n", ((Number) r.get(2)).longValue());
            m.put("val", r.get(3) == null ? null : (BigDecimal) r.get(3));
            m.put("ts_last", r.get(4) == null ? null : ((Number) r.get(4)).longValue());
            out.add(m);
        }
        return out;
    }

    List<Map<String, Object>> rich() throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Object> r : TestPostgres.query("SELECT id, region, balance FROM " + table + " WHERE balance >= 900")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", ((Number) r.get(0)).longValue());
            m.put("region", r.get(1));
            m.put("balance", ((Number) r.get(2)).longValue());
            out.add(m);
        }
        return out;
    }

    /** Checks every view against its oracle, waiting up to {@code timeout} for each. */
    void assertViews(ViewReader views, Duration timeout) throws Exception {
        views.awaitEquals("by_region", List.of("region"), this::byRegion, timeout);
        views.awaitEquals("by_region_tier", List.of("region", "tier"), this::byRegionTier, timeout);
        views.awaitEquals("rich", List.of("id"), this::rich, timeout);
    }

    void insert(int n) throws SQLException {
        try (Connection c = TestPostgres.connect()) {
            c.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                insert(c);
            }
            c.commit();
        }
    }

    /** {@code n} random changes (about 35% inserts, 45% updates, 20% deletes) in small transactions. */
    void randomChanges(int n) throws SQLException {
        try (Connection c = TestPostgres.connect()) {
            c.setAutoCommit(false);
            int done = 0;
            while (done < n) {
                int tx = 1 + rnd.nextInt(5);
                for (int i = 0; i < tx && done < n; i++, done++) {
                    int op = rnd.nextInt(100);
                    if (live.isEmpty() || op < 35) {
                        insert(c);
                    } else if (op < 80) {
                        update(c, live.get(rnd.nextInt(live.size())));
                    } else {
                        delete(c, live.remove(rnd.nextInt(live.size())));
                    }
                }
                c.commit();
            }
        }
    }

    /** Deletes every account of a region: its groups must leave the views. */
    void deleteRegion(String region) throws SQLException {
        for (List<Object> r : TestPostgres.query("SELECT id FROM " + table + " WHERE region = '" + region + "'")) {
            live.remove(Long.valueOf(((Number) r.get(0)).longValue()));
        }
        TestPostgres.exec("DELETE FROM " + table + " WHERE region = '" + region + "'");
    }

    /**
     * In every region, the accounts holding the current MAX and MIN balance give them up: the maximum is deleted,
     * the minimum raised to the middle; the views must find the next extremes.
     */
    void retractExtremes() throws SQLException {
        TestPostgres.exec("DELETE FROM " + table + " a WHERE balance = (SELECT MAX(balance) FROM " + table
                        + " b WHERE b.region = a.region)",
                "UPDATE " + table + " a SET balance = 450 WHERE balance = (SELECT MIN(balance) FROM " + table
                        + " b WHERE b.region = a.region)");
        live.clear();
        for (List<Object> r : TestPostgres.query("SELECT id FROM " + table)) {
            live.add(((Number) r.get(0)).longValue());
        }
    }

    private void insert(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table
                + " (id, region, tier, owner, balance, price, updated) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            long id = nextId++;
            s.setLong(1, id);
            s.setString(2, REGIONS[rnd.nextInt(REGIONS.length)]);
            s.setString(3, TIERS[rnd.nextInt(TIERS.length)]);
            s.setString(4, "o" + rnd.nextInt(12));
            s.setLong(5, rnd.nextInt(1200) - 100);
            s.setBigDecimal(6, rnd.nextInt(10) == 0 ? null : BigDecimal.valueOf(rnd.nextInt(100_000), 2));
            s.setTimestamp(7, timestamp());
            s.executeUpdate();
            live.add(id);
        }
    }

    private void update(Connection c, long id) throws SQLException {
        String[] columns = {"region", "tier", "owner", "balance", "price"};
        String column = columns[rnd.nextInt(columns.length)];
        try (PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET " + column + " = ?, updated = ? "
                + "WHERE id = ?")) {
            switch (column) {
                case "region" -> s.setString(1, REGIONS[rnd.nextInt(REGIONS.length)]);
                case "tier" -> s.setString(1, TIERS[rnd.nextInt(TIERS.length)]);
                case "owner" -> s.setString(1, "o" + rnd.nextInt(12));
                case "balance" -> s.setLong(1, rnd.nextInt(1200) - 100);
                default -> s.setBigDecimal(1, BigDecimal.valueOf(rnd.nextInt(100_000), 2));
            }
            s.setTimestamp(2, timestamp());
            s.setLong(3, id);
            s.executeUpdate();
        }
    }

    private void delete(Connection c, long id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
            s.setLong(1, id);
            s.executeUpdate();
        }
    }

    private Timestamp timestamp() {
        // whole milliseconds in UTC, so PostgreSQL's TIMESTAMP and the view's epoch milliseconds agree
        long ms = T0 + rnd.nextInt(1_000_000_000);
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(ms / 1000, (int) (ms % 1000) * 1_000_000,
                java.time.ZoneOffset.UTC);
        return Timestamp.valueOf(t);
    }
}
