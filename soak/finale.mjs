// The end of a soak: let every fault finish, stop the stimuli, end the open event, wait until every event is
// assembled, read the retained state, verify the data dir, shut everything down and gather the journal the
// invariants are checked against.
import mqtt from "mqtt";
import { ffmpegProcessesFor, readEvents } from "./evidence-scan.mjs";
import { camsync } from "./harness.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {import("./harness.mjs").Soak} s */
export async function quiesce(s, { settleMs = 90_000 } = {}) {
  const end = Date.now() + 120_000;
  while (s.activeFaults.size > 0 && Date.now() < end) await sleep(200);
  s.feed.stop();
  if (!s.daemon.up) await s.daemon.start();
  if (s.lightOn) await s.control({ op: "simulate", input: "lightbar", active: false });
  await camsync(["trigger", "stop", "--reason", "soak: end of run", "--data-dir", s.dataDir]);
  s.stops.push({ at: Date.now(), origin: { kind: "cli", id: "cli" }, action: "final-stop" });
  const deadline = Date.now() + settleMs;
  let state = "unknown";
  while (Date.now() < deadline) {
    const st = await s.control({ op: "status" });
    state = st.ok ? st.result.state : "unreachable";
    const events = readEvents(s.dataDir);
    if (state === "idle" && events.every((e) => e.manifest?.endedAt)) break;
    await sleep(500);
  }
  s.finalState = state;
  s.ledger.scan();
}

/** The retained R/activation a client connecting now receives. */
function retainedActivation(s) {
  return new Promise((resolve) => {
    const client = mqtt.connect(s.broker.url, {
      ...s.broker.tls("finale"),
      clientId: "finale",
      reconnectPeriod: 0,
    });
    const done = (v) => {
      clearTimeout(t);
      client.end(true);
      resolve(v);
    };
    const t = setTimeout(() => done(null), 5000);
    client.on("error", () => done(null));
    client.on("connect", () => client.subscribe(`camsync/v1/${s.vehicleId}/activation`, { qos: 1 }));
    client.on("message", (_topic, buf) => {
      try {
        done(JSON.parse(buf.toString("utf8")));
      } catch {
        done(null);
      }
    });
  });
}

/** pino's `time` (ISO string or epoch ms), else when the harness read the line. */
const timeOf = (line, fallback) => {
  const t = typeof line.time === "number" ? line.time : Date.parse(line.time);
  return Number.isFinite(t) ? t : fallback;
};

function decisionsOf(daemon) {
  const out = [];
  for (const { at, run, line } of daemon.lines) {
    const d = line.decision;
    if (!d || typeof d.type !== "string") continue;
    const origin = line.detail?.origin ?? d.origin ?? null;
    out.push({
      at: timeOf(line, at),
      run,
      type: d.type,
      eventId: d.eventId ?? null,
      origin,
      reason: d.reason ?? line.msg,
    });
  }
  return out;
}

function alertsOf(s) {
  const out = [];
  for (const { at, line } of s.daemon.lines) {
    const a = line.alert;
    if (a && typeof a.code === "string") out.push({ ...a, at: timeOf(line, at), source: "log" });
  }
  for (const m of s.observer.on("alert"))
    if (m.payload?.code) out.push({ ...m.payload, at: m.at, source: "mqtt" });
  return out;
}

/** @param {import("./harness.mjs").Soak} s */
export async function collect(s) {
  const finalRetainedActivation = await retainedActivation(s);
  const verify = await camsync(["verify", s.dataDir], 300_000);
  for (const t of s.timers) clearInterval(t);
  await s.fleet.stop();
  await s.observer.stop();
  await s.daemon.stop();
  await sleep(3000);
  const orphans = [
    ...s.orphans,
    ...ffmpegProcessesFor(s.dataDir).map((p) => ({ ...p, afterKillOf: "final stop" })),
  ];
  await s.broker.stop();
  await s.adapter.unplug();
  const alerts = alertsOf(s);
  for (const f of s.fills) {
    f.alertSeen = alerts.some(
      (a) => /storage|disk|space|reserve/i.test(a.code) && a.at >= f.at && a.at <= f.until + 10_000,
    );
  }
  return {
    vehicleId: s.vehicleId,
    paired: s.cams,
    injections: s.injections,
    authorisedStarts: s.authorisedStarts,
    stops: s.stops,
    faults: s.faults,
    fills: s.fills,
    decisions: decisionsOf(s.daemon),
    daemonRuns: s.daemon.runs,
    unexpectedExits: s.daemon.unexpectedExits,
    events: readEvents(s.dataDir),
    verify,
    alerts,
    activations: s.observer.on("activation"),
    bodycamActivations: s.fleet.activations,
    bodycamRecordings: s.fleet.recordings,
    bodycamMessages: s.observer.messages
      .filter((m) => /\/bodycam\/[^/]+\/activation$/.test(m.topic))
      .map((m) => ({ at: m.at, id: m.topic.split("/").at(-2), active: m.payload?.active ?? null })),
    intruderAttempts: s.intruder.attempts,
    footage: { seen: s.ledger.seen, atEnd: s.ledger.atEnd() },
    resources: s.resources,
    orphans,
    finalRetainedActivation,
    finalStopMs: s.daemon.stopMs ?? null,
  };
}
