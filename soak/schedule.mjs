// The adversary's plan: a pure function of (seed, duration). Stimuli (light bar, button, CLI, body cams,
// hostile MQTT, SLCAN garbage) at random intervals; faults spread so that every kind happens at least once
// even in the short CI form, more at random in longer runs.
import { createRng } from "./rng.mjs";

export const FAULT_KINDS = [
  "kill-ffmpeg",
  "restart-broker",
  "unplug-serial",
  "kill-daemon",
  "fill-disk",
  "second-daemon",
  "fill-during-assembly",
  "hijack-attempt",
];
/** Operator mistakes in place before the first start (soak/operator-mistakes.mjs), not scheduled. */
export const STARTUP_MISTAKES = ["busy-port", "stale-lock"];

export const STIMULUS_WEIGHTS = {
  lightbar: 14,
  "button-short": 8,
  "button-long": 5,
  "cli-start": 5,
  "cli-stop": 6,
  "cli-mark": 3,
  "bodycam-start": 10,
  "bodycam-stop": 5,
  "rogue-start": 3,
  "rogue-stop": 2,
  "bad-credentials": 1,
  "malformed-mqtt": 3,
  "slcan-garbage": 3,
};

/**
 * @param {{ seed: number, durationMs: number, warmupMs?: number, cooldownMs?: number,
 *           meanStimulusGapMs?: number, faultsPerMinute?: number, bodycams: string[] }} o
 * @returns {{ at: number, action: string, arg?: unknown }[]} sorted by `at` (ms from the start)
 */
export function planSchedule(o) {
  const rng = createRng(o.seed);
  const warmup = o.warmupMs ?? 20_000;
  const cooldown = o.cooldownMs ?? 15_000;
  const end = o.durationMs - cooldown;
  const out = [];
  const meanGap = o.meanStimulusGapMs ?? 4000;
  for (let t = warmup * 0.5 + rng.between(0, meanGap); t < end; t += rng.between(0.3, 1.7) * meanGap) {
    const action = rng.weighted(STIMULUS_WEIGHTS);
    out.push({ at: Math.round(t), action, arg: argFor(action, rng, o.bodycams) });
  }
  // Every fault kind at least once, in a shuffled order, in evenly spaced slots (jittered).
  const order = [...FAULT_KINDS];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  // The first daemon kill takes the last of these slots: one daemon run then spans most of the soak, long
  // enough to tell whether its RSS and fds stay flat after warm-up.
  order.splice(order.indexOf("kill-daemon"), 1);
  order.push("kill-daemon");
  const extra = Math.max(
    0,
    Math.round(((end - warmup) / 60_000) * (o.faultsPerMinute ?? 0.5)) - order.length,
  );
  for (let i = 0; i < extra; i++) order.push(rng.pick(FAULT_KINDS));
  const slot = (end - warmup) / order.length;
  order.forEach((kind, i) => {
    const at = Math.round(warmup + slot * i + rng.between(0.1, 0.6) * slot);
    out.push({ at, action: kind, arg: argFor(kind, rng, o.bodycams) });
  });
  return out.sort((a, b) => a.at - b.at);
}

function argFor(action, rng, bodycams) {
  switch (action) {
    case "bodycam-start":
    case "bodycam-stop":
      return rng.pick(bodycams);
    case "malformed-mqtt":
      return rng.int(1, 4);
    case "unplug-serial":
      return Math.round(rng.between(1500, 8000)); // unplugged this long
    case "restart-broker":
      return Math.round(rng.between(200, 3000)); // broker down this long
    case "kill-daemon":
      return Math.round(rng.between(100, 1000)); // restarted within ~1 s
    case "fill-disk":
      return Math.round(rng.between(12_000, 25_000)); // the disk stays full this long
    case "fill-during-assembly":
      return Math.round(rng.between(3000, 6000)); // the disk stays full this long after the event ends
    case "hijack-attempt":
      return Math.round(rng.between(3000, 8000)); // the attacker keeps reconnecting this long
    case "kill-ffmpeg":
      return rng.int(0, 1); // which camera
    default:
      return undefined;
  }
}
