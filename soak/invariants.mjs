// The soak's verdict: pure checks over what the harness did (injections, faults) and what it observed
// (the daemon's decisions, MQTT traffic, the files on disk, resource samples). Each invariant reports how
// many things it checked and every failure, so a pass with a count of zero is visible as such.
import {
  assemblyRecoveredFromFullDisk,
  fullDiskWindows,
  hijackRefused,
} from "./peer-and-disk-invariants.mjs";
import { overlaps, result } from "./verdict.mjs";

/** Decisions by which a start-type trigger "produced an event or joined one". */
export const START_DECISIONS = ["event-start", "event-join", "mark"];
/** Faults during which (and shortly after) a trigger may take longer to reach the engine. */
const DELAYING_FAULTS = ["kill-daemon", "restart-broker", "unplug-serial"];
/** Faults that may legitimately leave a gap in a camera's footage. */
const GAP_FAULTS = ["kill-ffmpeg", "kill-daemon"];

const key = (o) => (o ? `${o.kind}:${o.id}` : "none");
const ms = (iso) => Date.parse(iso);

/** The deadline for a trigger injected at `at`: later when a delaying fault overlaps its window. */
export function deadlineFor(at, faults, baseMs = 6000, afterFaultMs = 20_000) {
  let deadline = at + baseMs;
  for (const f of faults) {
    if (!DELAYING_FAULTS.includes(f.kind)) continue;
    if (overlaps(at - 1000, deadline, f.at, f.until)) deadline = Math.max(deadline, f.until + afterFaultMs);
  }
  return deadline;
}

/** For a body cam's own start: whether the witness saw it on the broker (lost before or after the broker). */
function onBroker(j, inj) {
  if (inj.origin.kind !== "bodycam" || !j.bodycamMessages) return "";
  const m = j.bodycamMessages.find(
    (x) => x.id === inj.origin.id && x.active === true && x.at >= inj.at - 200 && x.at <= inj.at + 6000,
  );
  return m
    ? ` (the broker carried it: the witness got it ${m.at - inj.at} ms later)`
    : " (the witness never saw it on the broker)";
}

/** 1. Every trigger the adversary injected produced an event or joined one (one decision per trigger). */
export function everyTriggerProducedAnEvent(j) {
  const used = new Set();
  const failures = [];
  const byType = {};
  for (const inj of [...j.injections].sort((a, b) => a.at - b.at)) {
    const deadline = deadlineFor(inj.at, j.faults);
    const idx = j.decisions.findIndex(
      (d, i) =>
        !used.has(i) &&
        START_DECISIONS.includes(d.type) &&
        key(d.origin) === key(inj.origin) &&
        d.at >= inj.at - 200 &&
        d.at <= deadline,
    );
    if (idx < 0) {
      const seen = j.decisions.filter(
        (d) => key(d.origin) === key(inj.origin) && d.at >= inj.at - 200 && d.at <= deadline,
      );
      failures.push(
        `${inj.action} ${key(inj.origin)} at ${new Date(inj.at).toISOString()}: no event-start/join/mark by ${new Date(deadline).toISOString()}` +
          (seen.length ? ` (got: ${seen.map((d) => `${d.type} "${d.reason}"`).join("; ")})` : "") +
          onBroker(j, inj),
      );
      continue;
    }
    used.add(idx);
    const t = j.decisions[idx].type;
    byType[t] = (byType[t] ?? 0) + 1;
  }
  return result("every trigger produced an event or joined one", j.injections.length, failures, {
    byDecision: byType,
  });
}

/** 2. Every event has a manifest and `camsync verify` passes on the whole data directory. */
export function everyEventVerifies(j) {
  const failures = [];
  const started = new Set(j.decisions.filter((d) => d.type === "event-start").map((d) => d.eventId));
  const onDisk = new Map(j.events.map((e) => [e.eventId, e]));
  for (const id of started) {
    const e = onDisk.get(id);
    if (!e) failures.push(`event ${id} was started but has no directory`);
    else if (!e.manifest) failures.push(`event ${id} has no readable manifest: ${e.error ?? "missing"}`);
    else if (!e.manifest.endedAt) failures.push(`event ${id}: manifest has no endedAt (never finished)`);
    else if (e.manifest.cameras.length === 0) failures.push(`event ${id}: manifest lists no camera`);
  }
  if (j.verify.code !== 0) {
    failures.push(
      `camsync verify exited ${j.verify.code}: ${(j.verify.stdout + j.verify.stderr).trim().slice(0, 1500)}`,
    );
  }
  const files = j.events.reduce(
    (n, e) => n + (e.manifest?.cameras ?? []).reduce((m, c) => m + c.files.length, 0),
    0,
  );
  return result("every event's files verify", j.events.length, failures, {
    filesVerified: files,
    verifyExit: j.verify.code,
  });
}

/** 3. Every gap in a video is recorded in its manifest and explained by an injected fault. */
export function everyGapExplained(
  j,
  { toleranceSeconds = 0.6, slackBeforeMs = 3000, slackAfterMs = 15_000 } = {},
) {
  const failures = [];
  let gaps = 0;
  let joins = 0;
  const explainers = [...j.faults.filter((f) => GAP_FAULTS.includes(f.kind)), ...fullDiskWindows(j)];
  const explained = (from, to) =>
    explainers.some((f) => overlaps(from, to, f.at - slackBeforeMs, f.until + slackAfterMs));
  for (const e of j.events) {
    for (const cam of e.manifest?.cameras ?? []) {
      for (const g of cam.gaps) {
        gaps++;
        if (!explained(ms(g.from), ms(g.to))) {
          failures.push(
            `${e.eventId}/${cam.name}: gap ${g.from} → ${g.to} (${g.seconds} s, "${g.cause}") matches no injected fault`,
          );
        }
      }
      const segs = [...cam.segments].sort((a, b) => ms(a.startedAt) - ms(b.startedAt));
      joins += Math.max(0, segs.length - 1);
      for (let i = 1; i < segs.length; i++) {
        const prevEnd = ms(segs[i - 1].startedAt) + segs[i - 1].durationSeconds * 1000;
        const next = ms(segs[i].startedAt);
        if ((next - prevEnd) / 1000 <= toleranceSeconds) continue;
        const recorded = cam.gaps.some((g) => overlaps(ms(g.from), ms(g.to), prevEnd + 100, next - 100));
        if (!recorded) {
          failures.push(
            `${e.eventId}/${cam.name}: ${((next - prevEnd) / 1000).toFixed(2)} s between ${segs[i - 1].file} and ${segs[i].file} is not recorded as a gap`,
          );
        }
      }
    }
  }
  return result(
    "every gap is recorded in the manifest and explained by an injected fault",
    joins + gaps,
    failures,
    {
      segmentJoins: joins,
      gapsRecorded: gaps,
    },
  );
}

/** 4. Every paired body cam either confirmed each event or has an alert for it. */
export function everyCamConfirmedOrAlerted(j) {
  const failures = [];
  let checked = 0;
  let confirmed = 0;
  for (const e of j.events) {
    if (!e.manifest) continue;
    for (const id of j.paired) {
      checked++;
      const rec = e.manifest.bodycams.find((b) => b.id === id);
      if (rec?.confirmedAt) {
        confirmed++;
        continue;
      }
      const alerted =
        (rec?.alerts.length ?? 0) > 0 || j.alerts.some((a) => a.device === id && a.eventId === e.eventId);
      if (!alerted) failures.push(`${e.eventId}: body cam ${id} neither confirmed nor alerted`);
    }
  }
  return result("every paired body cam confirmed or has an alert", checked, failures, { confirmed });
}

/**
 * 5. No activation lost across broker and daemon restarts: every event's start reached the broker (seen by
 * the observer) and every paired cam; every end reached the broker (or a newer activation replaced it);
 * the retained activation at the end matches the engine's last decision.
 */
export function noActivationLost(j) {
  const failures = [];
  const restarts = j.faults.filter((f) => f.kind === "kill-daemon" || f.kind === "restart-broker");
  let acrossRestarts = 0;
  const acts = j.activations.filter((m) => m.payload && typeof m.payload.eventId === "string");
  const starts = j.decisions.filter((d) => d.type === "event-start");
  const ends = j.decisions.filter((d) => d.type === "event-end");
  for (const d of starts) {
    if (restarts.some((f) => overlaps(d.at - 5000, d.at + 5000, f.at, f.until + 15_000))) acrossRestarts++;
    if (!acts.some((m) => m.payload.eventId === d.eventId && m.payload.active === true)) {
      failures.push(`event ${d.eventId}: no R/activation active:true reached the broker`);
    }
    for (const id of j.paired) {
      const got = j.bodycamActivations.some(
        (a) => a.id === id && a.payload.eventId === d.eventId && a.payload.active,
      );
      const alerted = j.alerts.some((a) => a.device === id && a.eventId === d.eventId);
      if (!got && !alerted)
        failures.push(`event ${d.eventId}: body cam ${id} never received the activation (and no alert)`);
    }
  }
  for (const d of ends) {
    const endSeen = acts.some((m) => m.payload.eventId === d.eventId && m.payload.active === false);
    const replaced = acts.some((m) => m.payload.eventId !== d.eventId && m.at > d.at);
    if (!endSeen && !replaced) failures.push(`event ${d.eventId}: its end never reached the broker`);
  }
  const lastDecision = [...j.decisions]
    .reverse()
    .find((d) => d.type === "event-start" || d.type === "event-end");
  if (lastDecision && j.finalRetainedActivation) {
    const r = j.finalRetainedActivation;
    const want = lastDecision.type === "event-start";
    if (r.eventId !== lastDecision.eventId || r.active !== want) {
      failures.push(
        `retained R/activation at the end is ${r.eventId} active:${r.active}, but the engine's last decision was ${lastDecision.type} ${lastDecision.eventId}`,
      );
    }
  } else if (lastDecision) failures.push("no retained R/activation at the end");
  return result(
    "no activation lost across broker and daemon restarts",
    starts.length + ends.length,
    failures,
    {
      eventsNearRestarts: acrossRestarts,
    },
  );
}

/**
 * 6. No unauthorised start or stop took effect: the unpaired client and malformed payloads changed nothing;
 * every start/join/stop decision has an origin the harness actually drove; the broker refused bad
 * credentials and the spoofed car activation never reached a body cam.
 */
export function noUnauthorisedEffect(j, lookbackMs = 120_000) {
  const failures = [];
  const acting = ["event-start", "event-join", "mark", "stop-requested"];
  for (const d of j.decisions) {
    if (!d.origin || !acting.includes(d.type)) continue;
    if (d.origin.kind === "bodycam" && !j.paired.includes(d.origin.id)) {
      failures.push(`${d.type} ${d.eventId} by unpaired ${key(d.origin)}`);
      continue;
    }
    const pool = d.type === "stop-requested" ? j.stops : j.authorisedStarts;
    const ok = pool.some(
      (a) => key(a.origin) === key(d.origin) && a.at <= d.at + 200 && a.at >= d.at - lookbackMs,
    );
    if (!ok)
      failures.push(
        `${d.type} ${d.eventId} by ${key(d.origin)} at ${new Date(d.at).toISOString()}: the harness drove no such action`,
      );
  }
  for (const a of j.intruderAttempts) {
    if (a.kind === "bad-credentials" && !String(a.outcome).startsWith("refused"))
      failures.push("the broker accepted a client without valid credentials");
  }
  const eventIds = new Set(j.decisions.map((d) => d.eventId));
  for (const r of j.bodycamRecordings) {
    if (r.eventId && !eventIds.has(r.eventId))
      failures.push(`body cam ${r.id} recorded ${r.eventId}, which the car never started`);
  }
  const checked =
    j.intruderAttempts.length + j.decisions.filter((d) => d.origin && acting.includes(d.type)).length;
  return result("no unauthorised start or stop took effect", checked, failures, {
    rogueAttempts: j.intruderAttempts.filter((a) => a.kind.startsWith("rogue")).length,
    malformedBatches: j.intruderAttempts.filter((a) => a.kind === "malformed-mqtt").length,
  });
}

/** 7. No event footage was deleted (or changed size) once written. */
export function noFootageDeleted(j) {
  const failures = [];
  for (const [path, seen] of Object.entries(j.footage.seen)) {
    const now = j.footage.atEnd[path];
    if (!now)
      failures.push(
        `${path} (${seen.bytes} bytes, first seen ${new Date(seen.firstSeen).toISOString()}) is gone`,
      );
    else if (seen.final && now.bytes !== seen.bytes)
      failures.push(`${path} changed size ${seen.bytes} → ${now.bytes}`);
  }
  return result("no event footage was deleted", Object.keys(j.footage.seen).length, failures);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : Number.NaN;
};

/** 8. RSS and open fds of the daemon stay flat after warm-up, in every run long enough to tell. */
export function resourcesFlat(
  j,
  { warmupMs = 60_000, minSpanMs = 120_000, maxRssGrowthMiB = 12, maxFdGrowth = 3 } = {},
) {
  const failures = [];
  const runs = [];
  for (const run of j.daemonRuns) {
    if (run.readyAt === null) continue;
    const samples = j.resources.filter((s) => s.run === run.n && s.at >= run.readyAt + warmupMs);
    if (samples.length < 6 || samples[samples.length - 1].at - samples[0].at < minSpanMs) continue;
    const third = Math.floor(samples.length / 3);
    const first = samples.slice(0, third);
    const last = samples.slice(-third);
    const rssGrowthMiB = (median(last.map((s) => s.rssKiB)) - median(first.map((s) => s.rssKiB))) / 1024;
    const fdGrowth = median(last.map((s) => s.fds)) - median(first.map((s) => s.fds));
    const info = {
      run: run.n,
      minutes: Math.round(((samples[samples.length - 1].at - samples[0].at) / 60_000) * 10) / 10,
      rssMiB: {
        first: Math.round(median(first.map((s) => s.rssKiB)) / 102.4) / 10,
        last: Math.round(median(last.map((s) => s.rssKiB)) / 102.4) / 10,
      },
      rssMaxMiB: Math.round(Math.max(...samples.map((s) => s.rssKiB)) / 102.4) / 10,
      fds: {
        first: median(first.map((s) => s.fds)),
        last: median(last.map((s) => s.fds)),
        max: Math.max(...samples.map((s) => s.fds)),
      },
    };
    runs.push(info);
    if (rssGrowthMiB > maxRssGrowthMiB)
      failures.push(`run ${run.n}: RSS grew ${rssGrowthMiB.toFixed(1)} MiB after warm-up`);
    if (fdGrowth > maxFdGrowth) failures.push(`run ${run.n}: open fds grew by ${fdGrowth} after warm-up`);
  }
  if (runs.length === 0)
    failures.push(`no daemon run lasted ${(warmupMs + minSpanMs) / 1000} s: RSS/fd flatness not measured`);
  return result("RSS and open fds flat after warm-up", runs.length, failures, { runs });
}

/** Extra: the daemon never died on its own, and every disk fill raised an alert while the ring kept going. */
export function daemonSurvivedAndDiskHandled(j) {
  const failures = [];
  for (const x of j.unexpectedExits)
    failures.push(`daemon run ${x.run} exited on its own (code ${x.code}, signal ${x.signal})`);
  for (const f of j.fills) {
    if (!f.alertSeen) failures.push(`disk filled at ${new Date(f.at).toISOString()}: no storage alert`);
    if (!f.ringAdvanced)
      failures.push(`disk filled at ${new Date(f.at).toISOString()}: the ring stopped getting new segments`);
  }
  for (const o of j.orphans)
    failures.push(`orphaned ffmpeg pid ${o.pid} still running after its daemon died`);
  return result(
    "the daemon never crashed; a full disk alerts and the ring keeps going; no orphaned ffmpeg",
    j.unexpectedExits.length + j.fills.length + 1,
    failures,
    {
      fills: j.fills.length,
    },
  );
}

/** Faults during which the running daemon's ffmpeg (or the daemon itself) legitimately changes. */
const PROCESS_FAULTS = ["kill-ffmpeg", "kill-daemon"];

/**
 * 10. Operator mistakes and stale state are refused or recovered, and the daemon exits on stop: a second
 * daemon on the same data dir exits 1 within 10 s naming the running one, having logged nothing but its
 * refusal and left the running daemon and its ffmpeg alone; stale locks (a SIGKILLed, unreaped holder) do
 * not keep the audit log down; a status-page port busy at start is down, then up within 20 s once freed;
 * the final SIGTERM ends the process within 5 s.
 */
export function operatorMistakesHandled(j, { stopLimitMs = 5000, upLimitMs = 20_000 } = {}) {
  const failures = [];
  let checked = 0;
  const when = (f) => new Date(f.at).toISOString();
  for (const f of j.faults) {
    if (f.kind === "second-daemon") {
      checked++;
      if (f.exitCode !== 1) failures.push(`second daemon at ${when(f)}: exit ${f.exitCode}, expected 1`);
      else if (f.exitMs > 10_000) failures.push(`second daemon at ${when(f)}: took ${f.exitMs} ms to exit`);
      if (!f.namedHolder)
        failures.push(`second daemon at ${when(f)}: did not name pid ${f.runningPid}: ${f.stderr}`);
      const extra = (f.logged ?? []).filter((m) => !String(m).startsWith("camsync refused to start"));
      if (extra.length)
        failures.push(`second daemon at ${when(f)}: did more than refuse: ${extra.join(" | ")}`);
      const disturbed = j.faults.some(
        (g) => PROCESS_FAULTS.includes(g.kind) && overlaps(f.at - 1000, f.until + 1000, g.at, g.until),
      );
      if (!disturbed && f.runningPidAfter !== f.runningPid)
        failures.push(
          `second daemon at ${when(f)}: the running daemon changed (${f.runningPid} → ${f.runningPidAfter})`,
        );
      if (!disturbed && [...f.ffmpegBefore].sort().join() !== [...f.ffmpegAfter].sort().join())
        failures.push(
          `second daemon at ${when(f)}: the running daemon's ffmpeg changed (${f.ffmpegBefore} → ${f.ffmpegAfter})`,
        );
    } else if (f.kind === "stale-lock") {
      checked++;
      if (f.auditUpAtReady !== true)
        failures.push(`stale audit lock (zombie pid ${f.holderPid}): the audit log was not up at ready`);
    } else if (f.kind === "busy-port") {
      checked++;
      if (f.downAtStart !== true)
        failures.push(`port ${f.port} busy at start: the status page was not reported down`);
      if (f.upAfterFreeMs === null || f.upAfterFreeMs > upLimitMs)
        failures.push(`port ${f.port} freed: the status page was not up within ${upLimitMs / 1000} s`);
    }
  }
  checked++;
  if (j.finalStopMs === null || j.finalStopMs === undefined) failures.push("the final stop was not measured");
  else if (j.finalStopMs > stopLimitMs)
    failures.push(`the daemon took ${j.finalStopMs} ms to exit after SIGTERM (limit ${stopLimitMs} ms)`);
  return result("operator mistakes refused or recovered; the process exits on stop", checked, failures, {
    finalStopMs: j.finalStopMs ?? null,
  });
}

/** @param {{ resources?: Parameters<typeof resourcesFlat>[1] }} [opts] */
export function checkAll(j, opts = {}) {
  return [
    everyTriggerProducedAnEvent(j),
    everyEventVerifies(j),
    everyGapExplained(j),
    everyCamConfirmedOrAlerted(j),
    noActivationLost(j),
    noUnauthorisedEffect(j),
    noFootageDeleted(j),
    resourcesFlat(j, opts.resources),
    daemonSurvivedAndDiskHandled(j),
    operatorMistakesHandled(j),
    hijackRefused(j),
    assemblyRecoveredFromFullDisk(j),
  ];
}
