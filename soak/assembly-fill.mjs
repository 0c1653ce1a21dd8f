// The "fill-during-assembly" fault (issue 11, defect 5): the data disk becomes really full (ENOSPC from the
// kernel, on the soak's tmpfs) at the moment an event ends, so its assembly fails for lack of space; space
// comes back `fullMs` later. The event is one at least MIN_EVENT_MS long (started here if the car is idle,
// stopped here unless the schedule ends it first; a shorter one is passed over), so its MP4s cannot fit in
// what is left free while the ring and the audit log can go on for the few seconds the disk stays full. The disk is filled from
// the daemon's own "event-end" log line, before the assembly has had time to write. Up to MAX_TRIES events
// are tried until the daemon reports the assembly failed for lack of space. Invariant 12 judges the record.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Free space left by the fill: room for the ring's growth while another event records (~50 KB/s for the two
 * cameras, linked segments free nothing) and a new event's pre-event muting, for the few seconds the disk
 * stays full; not room for the first camera's MP4 of an event of MIN_EVENT_MS (~30 s of footage, ~850 KB).
 */
export const LEAVE_FREE_BYTES = 640 * 1024;
const MIN_EVENT_MS = 25_000;
const MAX_TRIES = 4;
/** No new try after this long: the fault must end before the soak does. */
const BUDGET_MS = 150_000;

const msgOf = (e) => String(e.line.msg ?? "");

/**
 * @param {import("./harness.mjs").Soak} s
 * @param {{ at: number, until: number, [k: string]: unknown }} f the fault record, completed here
 * @param {number} fullMs how long the disk stays full
 */
export async function fillDuringAssembly(s, f, fullMs) {
  f.tries = [];
  if (!s.disk.mounted) {
    f.skipped = `needs a really full disk: ${s.disk.why}`;
    return;
  }
  const t0 = Date.now();
  for (let i = 0; i < MAX_TRIES && Date.now() - t0 < BUDGET_MS; i++) {
    const t = await oneEvent(s, fullMs);
    f.tries.push(t);
    if (t.noSpaceLogged || t.error) break;
    if (t.passedOver) await sleep(2000);
  }
  f.until = Date.now();
}

async function oneEvent(s, fullMs) {
  let ev = s.openEvent();
  if (!ev) {
    await s.act({ action: "cli-start" });
    for (let i = 0; i < 60 && !ev; i++) {
      await sleep(100);
      ev = s.openEvent();
    }
    if (!ev) return { passedOver: "no event could be started (daemon down?)" };
  }
  const t = { eventId: ev.eventId, startedAt: ev.at };
  let filled = null;
  // Fill the moment the daemon logs the event's end (synchronously, in the log reader).
  let off = () => {};
  const ended = new Promise((resolve) => {
    off = s.daemon.onLine((e) => {
      const d = e.line.decision;
      if (d?.type !== "event-end" || d.eventId !== ev.eventId) return;
      off();
      t.endedAt = e.at;
      // The schedule ended it too early (its MP4s would fit in what the fill leaves), or the other disk
      // fault has the disk full already: not this one.
      if (e.at - ev.at < MIN_EVENT_MS) t.passedOver = "it ended too early to fill the disk for";
      else if (s.activeFaults.has("fill-disk")) t.passedOver = "the disk-filling fault was running";
      if (t.passedOver) return resolve(undefined);
      try {
        filled = s.disk.fill(LEAVE_FREE_BYTES);
        t.filledAt = Date.now();
        t.filledBytes = filled.bytes;
      } catch (err) {
        t.error = String(err.message);
      }
      resolve(undefined);
    });
  });
  const wait = ev.at + MIN_EVENT_MS - Date.now();
  await Promise.race([ended, sleep(Math.max(0, wait))]);
  // Stop it (again, if a trigger during post-roll continued it), until it ends.
  for (let i = 0; i < 4 && t.endedAt === undefined; i++) {
    await s.act({ action: "cli-stop" });
    await Promise.race([ended, sleep(8000)]);
  }
  if (t.endedAt === undefined) {
    off(); // never fill for it later, unattended
    return { ...t, passedOver: "it did not end when stopped" };
  }
  if (!filled) return t;
  const lines = () => s.daemon.lines.filter((e) => e.at >= (t.endedAt ?? 0));
  await sleep(fullMs);
  const failedLine = lines().find((e) =>
    msgOf(e).startsWith(`event ${ev.eventId} could not be assembled; retried when space returns`),
  );
  t.noSpaceLogged = failedLine !== undefined;
  t.assembledBeforeFree = lines().some((e) => msgOf(e) === `event ${ev.eventId} assembled`);
  filled.release();
  t.freedAt = Date.now();
  for (let i = 0; i < 600; i++) {
    const done = lines().find(
      (e) => e.at >= (t.freedAt ?? 0) && msgOf(e) === `event ${ev.eventId} assembled`,
    );
    if (done) {
      t.assembledAfterFreeMs = done.at - (t.freedAt ?? 0);
      break;
    }
    if (t.assembledBeforeFree) break;
    await sleep(100);
  }
  return t;
}
