#!/usr/bin/env node
// npm run soak -- [--minutes N] [--seed S] [--bodycams N] [--keep] [--report FILE]
// The chaos soak of the whole daemon (see docs/reliability.md). Exit 0 when every invariant holds, 1 when
// one fails, 2 on bad usage. Prints the seed; `--seed` replays the same schedule.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "./daemon-process.mjs";
import { collect, quiesce } from "./finale.mjs";
import { Soak } from "./harness.mjs";
import { checkAll } from "./invariants.mjs";
import { randomSeed } from "./rng.mjs";
import { planSchedule } from "./schedule.mjs";

const USAGE = "usage: npm run soak -- [--minutes N] [--seed S] [--bodycams N] [--keep] [--report FILE]";

function options() {
  try {
    const { values } = parseArgs({
      options: {
        minutes: { type: "string", default: "3" },
        seed: { type: "string" },
        bodycams: { type: "string", default: "8" },
        keep: { type: "boolean", default: false },
        report: { type: "string", default: join(repoRoot, "soak/last-report.json") },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const minutes = Number(values.minutes);
    const seed = values.seed === undefined ? randomSeed() : Number(values.seed);
    const bodycams = Number(values.bodycams);
    if (!(minutes >= 1) || !Number.isInteger(seed) || seed < 0 || !(bodycams >= 1 && bodycams <= 32))
      throw new Error("bad value");
    return { minutes, seed, bodycams, keep: values.keep, report: values.report };
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const count = (list, key) => {
  const m = {};
  for (const x of list) m[x[key]] = (m[x[key]] ?? 0) + 1;
  return m;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : null;
};

export async function soak({ minutes, seed, bodycams, keep }) {
  const durationMs = Math.round(minutes * 60_000);
  const s = new Soak({ seed, bodycams });
  // Interrupted (Ctrl-C, CI timeout): take the daemon, broker and PTY down with us.
  const abort = (sig) => {
    process.stderr.write(`soak: ${sig}: stopping the daemon, broker and adapter; data kept in ${s.dir}\n`);
    void Promise.allSettled([s.daemon?.stop(5000), s.broker?.stop(), s.adapter?.unplug()]).then(() => {
      s.disk.unmount({ keep: true });
      process.exit(130);
    });
  };
  process.once("SIGINT", abort);
  process.once("SIGTERM", abort);
  process.stderr.write(`soak: seed ${seed}, ${minutes} min, ${bodycams} body cams, in ${s.dir}\n`);
  const startedAt = new Date().toISOString();
  let journal;
  try {
    await s.setup();
    const schedule = planSchedule({
      seed,
      durationMs,
      warmupMs: Math.min(30_000, durationMs / 6),
      cooldownMs: 15_000,
      faultsPerMinute: 0.5,
      bodycams: s.cams,
    });
    await s.runSchedule(schedule, durationMs);
    await quiesce(s);
    journal = await collect(s);
  } catch (err) {
    await s.daemon?.stop().catch(() => {});
    await s.broker?.stop().catch(() => {});
    await s.adapter?.unplug().catch(() => {});
    s.disk.unmount({ keep: true });
    throw err;
  }
  const warmupMs = Math.min(60_000, durationMs / 5);
  const invariants = checkAll(journal, {
    resources: { warmupMs, minSpanMs: Math.min(120_000, durationMs / 3) },
  });
  const ok = invariants.every((i) => i.ok);
  const report = {
    ok,
    seed,
    minutes,
    startedAt,
    endedAt: new Date().toISOString(),
    dir: s.dir,
    coverage: s.coverage,
    canSource: s.feed.source,
    counts: {
      injections: count(journal.injections, "action"),
      stops: count(journal.stops, "action"),
      faults: count(journal.faults, "kind"),
      decisions: count(journal.decisions, "type"),
      events: journal.events.length,
      daemonRuns: journal.daemonRuns.length,
      canFramesWritten: s.feed.written,
      canFramesDroppedUnplugged: s.feed.dropped,
      mqttMessagesObserved: s.observer.messages.length,
      skipped: count(s.skipped, "action"),
      controlFailures: s.controlFailures.length,
    },
    figures: {
      firstStartToReadyMs: s.firstReadyMs,
      restartToReadyMs: journal.faults.filter((f) => f.kind === "kill-daemon").map((f) => f.readyMs),
      hijack: journal.faults
        .filter((f) => f.kind === "hijack-attempt")
        .map((f) => ({
          connections: f.attempts?.length ?? 0,
          givenClientIds: count(f.attempts ?? [], "brokerClientId"),
          daemonDrops: f.daemonDrops?.length ?? null,
          skipped: f.skipped,
        })),
      diskFullDuringAssembly: journal.faults
        .filter((f) => f.kind === "fill-during-assembly")
        .map((f) => ({
          skipped: f.skipped,
          tries: (f.tries ?? []).map((t) => ({
            eventId: t.eventId,
            eventMs: t.endedAt - t.startedAt,
            enospc: t.noSpaceLogged,
            assembledAfterFreeMs: t.assembledAfterFreeMs,
            error: t.error,
          })),
        })),
      ffmpegRecoveryMs: {
        values: s.recoveries.map((r) => r.ms),
        p50: pct(
          s.recoveries.map((r) => r.ms),
          50,
        ),
        max: pct(
          s.recoveries.map((r) => r.ms),
          100,
        ),
      },
    },
    invariants,
    controlFailures: s.controlFailures.slice(0, 30),
    faults: journal.faults,
  };
  s.disk.unmount({ keep: !ok || keep });
  if (ok && !keep) rmSync(s.dir, { recursive: true, force: true });
  else writeFileSync(join(s.dir, "journal.json"), JSON.stringify(journal)); // everything the verdict saw
  return report;
}

function print(report) {
  const out = [];
  out.push(
    `soak ${report.ok ? "PASSED" : "FAILED"}: seed ${report.seed}, ${report.minutes} min, ${report.counts.events} events, ${report.counts.daemonRuns} daemon runs`,
  );
  out.push(`  faults: ${JSON.stringify(report.counts.faults)}`);
  out.push(`  triggers: ${JSON.stringify(report.counts.injections)}`);
  out.push(`  hijack attempts: ${JSON.stringify(report.figures.hijack)}`);
  out.push(`  disk full during assembly: ${JSON.stringify(report.figures.diskFullDuringAssembly)}`);
  for (const i of report.invariants) {
    out.push(`  ${i.ok ? "ok  " : "FAIL"} ${i.name}: ${i.checked} checked, ${i.failed} failed`);
    for (const f of i.failures.slice(0, 8)) out.push(`         - ${f}`);
  }
  if (!report.ok) out.push(`  kept for inspection: ${report.dir} (daemon.log, disk/data/, mosquitto/)`);
  process.stdout.write(`${out.join("\n")}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const opts = options();
  try {
    const report = await soak(opts);
    writeFileSync(opts.report, `${JSON.stringify(report, null, 2)}\n`);
    print(report);
    process.stderr.write(`soak: report in ${opts.report}\n`);
    process.exit(report.ok ? 0 : 1);
  } catch (err) {
    process.stderr.write(`soak: could not run: ${err.stack ?? err}\n`);
    process.exit(1);
  }
}
