// The "hijack-attempt" fault (issue 11, defect 6): a client holding a paired body cam's real certificate
// connects again and again with the daemon's client id. The shipped Mosquitto ties client ids to
// identities (`use_username_as_clientid`): it must give every such connection the cam's own id, never the
// daemon's, and the daemon's session must never be taken over. Recorded for invariant 11: the client id the
// broker gave each connection (its "New client connected from HOST:PORT as ID" log line, matched by the
// intruder's local port), every "connection lost" the daemon logged and every offline status the witness
// saw during the attempt, and an activation driven halfway through, whose delivery to the cams is judged.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** After the last connection: how long a dropped daemon connection has to show (log line, LWT). */
export const HIJACK_SETTLE_MS = 3000;

/** Pure: Mosquitto's connection log → client port → { clientId, username } (the latest line per port). */
export function brokerConnections(log) {
  const out = new Map();
  const re = /New client connected from [^\s]+?:(\d+) as (\S+) \([^)]*?u'([^']*)'\)/g;
  for (const m of log.matchAll(re)) out.set(Number(m[1]), { clientId: m[2], username: m[3] });
  return out;
}

/**
 * @param {import("./harness.mjs").Soak} s
 * @param {{ at: number, until: number, [k: string]: unknown }} f the fault record, completed here
 * @param {number} durationMs how long the attacker keeps reconnecting
 */
export async function hijackAttempt(s, f, durationMs) {
  const id = s.cams[s.cams.length - 1];
  const daemonClientId = s.daemonClientId;
  // Halfway through, the car's recording changes (an activation every paired cam must still get in time).
  const drive = sleep(durationMs / 2).then(() => s.toggleRecording());
  const attempts = await s.intruder.hijack({
    identity: { id, tls: s.broker.tls(id) },
    clientId: daemonClientId,
    durationMs,
  });
  await drive;
  f.until = Date.now();
  await sleep(HIJACK_SETTLE_MS);
  const given = brokerConnections(s.broker.process?.log ?? "");
  const inWindow = (t) => t >= f.at && t <= f.until + HIJACK_SETTLE_MS;
  Object.assign(f, {
    identity: id,
    daemonClientId,
    attempts: attempts.map((a) => ({
      ...a,
      brokerClientId: a.localPort === null ? null : (given.get(a.localPort)?.clientId ?? null),
    })),
    daemonDrops: s.daemon.lines
      .filter((e) => inWindow(e.at) && /connection lost/i.test(String(e.line.msg ?? "")))
      .map((e) => ({ at: e.at, msg: e.line.msg, reason: e.line.reason ?? null })),
    offlineStatus: s.observer
      .on("status")
      .filter((m) => inWindow(m.at) && m.payload?.online === false)
      .map((m) => ({ at: m.at, retain: m.retain })),
  });
}
