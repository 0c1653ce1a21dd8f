// Invariants 11 and 12 (issue 11): a client-id hijack by a paired cam's identity, and a disk that is
// really full while an event is assembled. Pure checks over the fault records the harness completed
// (soak/hijack-attempt.mjs, soak/assembly-fill.mjs) and the rest of the journal.
import { overlaps, result } from "./verdict.mjs";

/** Decisions that body-cam sync publishes as an activation (src/bodycam/bodycam-sync.ts, onDecision). */
const PUBLISHED = new Set(["event-start", "event-join", "event-resume", "event-end"]);
/** Faults that drop the daemon's MQTT connection on their own: a hijack overlapping them is not judged on it. */
const DROPPING_FAULTS = ["restart-broker", "kill-daemon"];
const when = (t) => new Date(t).toISOString();

/** When the disk was really full during assembly: [filled, freed] of every try (gaps may fall there). */
export function fullDiskWindows(j) {
  return j.faults
    .filter((f) => f.kind === "fill-during-assembly")
    .flatMap((f) => f.tries ?? [])
    .filter((t) => typeof t.filledAt === "number")
    .map((t) => ({ kind: "fill-during-assembly", at: t.filledAt, until: t.freedAt ?? t.filledAt }));
}

/**
 * 11. A cam's identity presenting the daemon's client id never gets it: every connection was refused or
 * given another client id by the broker (its log), the daemon never logged a lost connection and the
 * witness saw no offline status during the attempt (unless a broker restart or daemon kill overlapped),
 * and every activation decided from its start until `afterMs` after it reached every other paired cam
 * within `boundMs` of the decision (the hijacked identity's own cam is knocked off by design).
 */
export function hijackRefused(j, { boundMs = 3000, afterMs = 20_000, settleMs = 3000 } = {}) {
  const failures = [];
  let checked = 0;
  let connections = 0;
  let activations = 0;
  let maxLatencyMs = null;
  const skipped = [];
  for (const f of j.faults) {
    if (f.kind !== "hijack-attempt") continue;
    if (f.skipped) {
      skipped.push(`${when(f.at)}: ${f.skipped}`);
      continue;
    }
    checked++;
    const attempts = Array.isArray(f.attempts) ? f.attempts : [];
    if (attempts.length === 0) failures.push(`hijack at ${when(f.at)}: no connection was attempted`);
    for (const a of attempts) {
      connections++;
      if (a.outcome !== "connected") continue;
      if (!a.brokerClientId)
        failures.push(
          `hijack at ${when(a.at)}: accepted, and the broker's log does not say as which client id (port ${a.localPort})`,
        );
      else if (a.brokerClientId === f.daemonClientId)
        failures.push(
          `hijack at ${when(a.at)}: ${f.identity} was connected as the daemon (${a.brokerClientId})`,
        );
    }
    const disturbed = j.faults.some(
      (g) => DROPPING_FAULTS.includes(g.kind) && overlaps(f.at - 1000, f.until + settleMs, g.at, g.until),
    );
    if (disturbed) continue;
    for (const d of f.daemonDrops ?? [])
      failures.push(
        `hijack at ${when(f.at)}: the daemon's MQTT connection dropped at ${when(d.at)} (${d.msg})`,
      );
    for (const s of f.offlineStatus ?? [])
      failures.push(`hijack at ${when(f.at)}: the witness saw the car go offline at ${when(s.at)}`);
    // every decision body-cam sync publishes to the cams: a start, a join or resume (active again, the
    // same event: a stop driven while triggers stay active ends in a join, not an end), an end
    const decided = j.decisions.filter(
      (d) => PUBLISHED.has(d.type) && d.at >= f.at && d.at <= f.until + afterMs,
    );
    if (decided.length === 0)
      failures.push(`hijack at ${when(f.at)}: no activation during or after it to judge its delivery by`);
    for (const d of decided) {
      activations++;
      const active = d.type !== "event-end";
      for (const cam of j.paired) {
        if (cam === f.identity) continue;
        const got = j.bodycamActivations.find(
          (a) =>
            a.id === cam &&
            a.payload.eventId === d.eventId &&
            a.payload.active === active &&
            a.at >= d.at - 200,
        );
        const ms = got ? got.at - d.at : null;
        if (ms !== null) maxLatencyMs = Math.max(maxLatencyMs ?? 0, ms);
        if (ms === null || ms > boundMs)
          failures.push(
            `hijack at ${when(f.at)}: ${d.type} ${d.eventId} reached ${cam} ${ms === null ? "never" : `after ${ms} ms`} (bound ${boundMs} ms)`,
          );
      }
    }
  }
  return result(
    "a client-id hijack is refused and never disturbs the daemon's connection or activations",
    checked + connections + activations,
    failures,
    { attempts: checked, connections, activations, maxLatencyMs, skipped },
  );
}

/**
 * 12. The disk full while an event was assembled: the assembly did fail for lack of space (else the fault
 * proved nothing), an alert named the event and a storage alert was raised, and once space returned the
 * event was assembled within `assembleWithinMs` with a finished manifest hashing every file. (Its footage
 * kept and `verify` passing are invariants 7 and 2.)
 */
export function assemblyRecoveredFromFullDisk(j, { assembleWithinMs = 30_000 } = {}) {
  const failures = [];
  let checked = 0;
  const skipped = [];
  const recovered = [];
  for (const f of j.faults) {
    if (f.kind !== "fill-during-assembly") continue;
    if (f.skipped) {
      skipped.push(`${when(f.at)}: ${f.skipped}`);
      continue;
    }
    checked++;
    const tries = f.tries ?? [];
    const t = tries.find((x) => x.noSpaceLogged);
    if (!t) {
      const why = tries.map(
        (x) =>
          x.error ??
          (x.passedOver
            ? `${x.eventId ?? "no event"}: ${x.passedOver}`
            : x.assembledBeforeFree
              ? `${x.eventId} assembled before the disk was full`
              : `${x.eventId}: no failure logged`),
      );
      failures.push(
        `disk full at ${when(f.at)}: no assembly failed for lack of space (${why.join("; ") || "no try"})`,
      );
      continue;
    }
    const id = t.eventId;
    if (!j.alerts.some((a) => a.code === "event-assembly-failed" && a.eventId === id))
      failures.push(`event ${id}: its failed assembly raised no event-assembly-failed alert`);
    if (
      !j.alerts.some(
        (a) => /^storage/.test(a.code) && a.at >= t.filledAt - 30_000 && a.at <= t.freedAt + 10_000,
      )
    )
      failures.push(`disk full at ${when(t.filledAt)}: no storage alert`);
    if (typeof t.assembledAfterFreeMs !== "number")
      failures.push(`event ${id}: not assembled after space returned at ${when(t.freedAt)}`);
    else if (t.assembledAfterFreeMs > assembleWithinMs)
      failures.push(
        `event ${id}: assembled ${t.assembledAfterFreeMs} ms after space returned (limit ${assembleWithinMs} ms)`,
      );
    const e = j.events.find((x) => x.eventId === id);
    const m = e?.manifest;
    if (!m) failures.push(`event ${id}: no manifest at the end (${e?.error ?? "no directory"})`);
    else if (!m.endedAt || m.cameras.length === 0)
      failures.push(`event ${id}: manifest unfinished (endedAt ${m.endedAt}, ${m.cameras.length} cameras)`);
    else if (
      m.cameras.some((c) => c.files.length === 0 || c.files.some((x) => !/^[0-9a-f]{64}$/.test(x.sha256)))
    )
      failures.push(`event ${id}: a camera without a hashed file in its manifest`);
    else recovered.push({ eventId: id, assembledAfterFreeMs: t.assembledAfterFreeMs, tries: tries.length });
  }
  return result(
    "disk full during assembly: the event is assembled with its manifest once space returns, with alerts",
    checked,
    failures,
    { recovered, skipped },
  );
}
