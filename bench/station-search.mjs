// Station search over 1,000,000 synthetic events (rows made with SQL generate_series), on PGlite
// and on a real PostgreSQL server: p99 of the API's search queries (date range, vehicle, officer,
// trigger + category, case number, free text in notes, second page by keyset cursor).
// Imports the built code from dist/ (npm run build first). STATION_BENCH_EVENTS overrides the count.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startPostgres } from "./_postgres.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(join(root, "dist", p));
const EVENTS = Number(process.env.STATION_BENCH_EVENTS ?? 1_000_000);
const QUERIES = 40; // per query kind

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const TRIGGERS = ["lightbar", "button", "can", "gpio", "bodycam"];
const CATEGORIES = ["traffic-stop", "pursuit", "arrest", "training", "accident", "complaint"];

/** Fill the index: 200 vehicles, 600 officers, EVENTS events over ~a year, every 1000th with a case number. */
async function fill(db) {
  await db.exec(`
    INSERT INTO vehicles (id) SELECT 'unit' || v FROM generate_series(1, 200) v;
    INSERT INTO officers (id) SELECT 'B' || o FROM generate_series(1, 600) o;
  `);
  const batch = 100_000;
  for (let from = 1; from <= EVENTS; from += batch) {
    const to = Math.min(EVENTS, from + batch - 1);
    await db.exec(`
      INSERT INTO events (event_id, vehicle_id, officer_id, started_at, ended_at, trigger_kind, trigger_id,
        category, critical, notes, key_prefix, manifest_sha256, manifest, audit_state, bytes)
      SELECT 'E' || lpad(i::text, 8, '0'), 'unit' || (1 + i % 200), 'B' || (1 + (i * 7) % 600),
        timestamptz '2026-01-01 00:00:00+00' + i * interval '31 seconds',
        timestamptz '2026-01-01 00:00:00+00' + i * interval '31 seconds' + interval '5 minutes',
        (ARRAY[${TRIGGERS.map((t) => `'${t}'`).join(",")}])[1 + i % 5], 'x',
        CASE WHEN i % 4 = 0 THEN NULL ELSE (ARRAY[${CATEGORIES.map((c) => `'${c}'`).join(",")}])[1 + i % 6] END,
        i % 50 = 0,
        CASE WHEN i % 100 = 0 THEN 'suspect fled on foot near exit ' || (i % 977)
             WHEN i % 7 = 0 THEN 'routine stop, warning issued' ELSE '' END,
        'unit' || (1 + i % 200) || '/E' || lpad(i::text, 8, '0') || '/', '', '{}'::jsonb, 'not-uploaded', 0
      FROM generate_series(${from}, ${to}) i;
      INSERT INTO incidents (id, case_number)
      SELECT 'E' || lpad(i::text, 8, '0'), CASE WHEN i % 1000 = 0 THEN 'C-' || i ELSE NULL END
      FROM generate_series(${from}, ${to}) i;
    `);
  }
  await db.exec("ANALYZE");
}

async function measure(db) {
  const { SearchService } = await dist("station/search-service.js");
  const search = new SearchService(db);
  const day = (n) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();
  let seed = 42;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const kinds = {
    "date range (1 week)": () => ({ from: day(rnd(350)), to: day(rnd(350) + 7) }),
    "vehicle + month": () => ({
      vehicle: `unit${1 + rnd(200)}`,
      from: day(rnd(330)),
      to: day(rnd(330) + 30),
    }),
    officer: () => ({ officer: `B${1 + rnd(600)}` }),
    "trigger + category": () => ({ trigger: TRIGGERS[rnd(5)], category: CATEGORIES[rnd(6)] }),
    "case number": () => ({ case: `C-${1000 * (1 + rnd(EVENTS / 1000))}` }),
    "free text in notes": () => ({ q: rnd(2) ? "fled" : "warning" }),
    "officer, free text": () => ({ officer: `B${1 + rnd(600)}`, q: "fled foot" }),
  };
  // warm-up: connections, catalog caches and plans, as on a station that has been running
  for (const make of Object.values(kinds))
    await search.search({
      ...Object.fromEntries(Object.entries(make()).map(([k, v]) => [k, String(v)])),
      limit: "50",
    });
  const all = [];
  const perKind = {};
  for (const [name, make] of Object.entries(kinds)) {
    const times = [];
    for (let i = 0; i < QUERIES; i++) {
      const params = Object.fromEntries(Object.entries(make()).map(([k, v]) => [k, String(v)]));
      let t = performance.now();
      const page = await search.search({ ...params, limit: "50" });
      times.push(performance.now() - t);
      if (page.next) {
        t = performance.now();
        await search.search({ ...params, limit: "50", after: page.next });
        times.push(performance.now() - t);
      }
    }
    perKind[name] = Number(percentile(times, 99).toFixed(1));
    all.push(...times);
  }
  return { p50: percentile(all, 50), p99: percentile(all, 99), perKind, n: all.length };
}

export async function run() {
  const { openDb } = await dist("station/db.js");
  const figures = [];
  const details = {};
  // PostgreSQL
  const server = await startPostgres(pg);
  try {
    const db = await openDb({ url: server.url, dataDir: "", poolSize: 2 });
    try {
      const t = performance.now();
      await fill(db);
      const fillS = (performance.now() - t) / 1000;
      const r = await measure(db);
      const [size] = await db.query(
        `SELECT pg_total_relation_size('events') AS events, pg_indexes_size('events') AS event_indexes,
           pg_total_relation_size('incidents') AS incidents, pg_database_size(current_database()) AS db`,
      );
      details.postgres = { ...r, fillSeconds: Math.round(fillS), bytes: size };
      figures.push({
        key: "stationSearchPostgresP99Ms",
        label: `station search over ${EVENTS.toLocaleString("en")} events, PostgreSQL (p99 of ${r.n} queries: ${Object.keys(r.perKind).join(", ")}; page 1 and 2)`,
        value: Number(r.p99.toFixed(1)),
        unit: "ms",
        target: "≤ 100 ms",
        meets: r.p99 <= 100,
      });
    } finally {
      await db.close();
    }
  } finally {
    await server.stop();
  }
  // PGlite
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-pglite-"));
  try {
    const db = await openDb({ dataDir: dir });
    try {
      const t = performance.now();
      await fill(db);
      const fillS = (performance.now() - t) / 1000;
      const r = await measure(db);
      details.pglite = { ...r, fillSeconds: Math.round(fillS) };
      figures.push({
        key: "stationSearchPgliteP99Ms",
        label: `station search over ${EVENTS.toLocaleString("en")} events, PGlite (same queries)`,
        value: Number(r.p99.toFixed(1)),
        unit: "ms",
        target: "≤ 300 ms",
        meets: r.p99 <= 300,
      });
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(`  station search details: ${JSON.stringify(details)}\n`);
  return { name: "station search", figures, details };
}
