CREATE SOURCE orders (order_id VARCHAR, customer_id VARCHAR, region VARCHAR, amount_cents BIGINT, status VARCHAR, ts TIMESTAMP)
  WITH (topic = 'orders', format = 'json', timestamp = 'ts', key = 'customer_id');
CREATE MATERIALIZED VIEW customer_stats AS SELECT customer_id, COUNT(*) AS order_count, SUM(amount_cents) AS total_cents, MAX(amount_cents) AS max_cents, MAX(ts) AS last_ts FROM orders WHERE status = 'placed' GROUP BY customer_id;
CREATE MATERIALIZED VIEW region_status AS SELECT region, status, COUNT(*) AS n, AVG(amount_cents) AS avg_cents FROM orders GROUP BY region, status;
