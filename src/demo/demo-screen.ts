import type { StatusView } from "../statuspage/status-view.js";

/**
 * What the demo prints: a full screen for the terminal UI and one state line for `--no-tty`.
 * Pure: a StatusView (the same one the status page shows) in, text out.
 */
export interface DemoKeys {
  lights: boolean;
  bodycams: string[];
}

const ESC = "\x1b[";
const paint = (code: string, text: string, color: boolean) =>
  color ? `${ESC}${code}m${text}${ESC}0m` : text;

export function elapsed(view: StatusView): string {
  const started = view.recording.startedAt;
  if (started === null) return "--:--:--";
  const s = Math.max(0, Math.floor((view.now - started) / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

function stateLabel(view: StatusView): string {
  switch (view.recording.state) {
    case "active":
      return "RECORDING";
    case "post-roll":
      return "POST-ROLL";
    case "idle":
      return "idle";
    case "not-recorded":
      return "NOT RECORDED";
    default:
      return "starting";
  }
}

function camWord(b: StatusView["bodycams"][number]): string {
  if (b.online === false) return "offline";
  if (b.confirmed === true) return "confirmed";
  if (b.missed) return "unconfirmed";
  if (b.confirmed === false) return "waiting";
  return b.recording ? "recording" : "online";
}

/** One line per state change, for scripts: `state=active event=… elapsed=… cams=bc1:confirmed,…`. */
export function stateLine(view: StatusView): string {
  const r = view.recording;
  const cams = view.bodycams.map((b) => `${b.id}:${camWord(b)}`).join(",") || "-";
  const cameras = view.cameras.map((c) => `${c.name}:${c.health}`).join(",") || "-";
  return [
    `state=${r.state}`,
    `event=${r.eventId ?? "-"}`,
    `elapsed=${elapsed(view)}`,
    `cams=${cams}`,
    `cameras=${cameras}`,
    `bus=${view.bus.health}`,
    `alerts=${view.alerts.length}`,
  ].join(" ");
}

/** The same line without the ticking clock: printed again only when this changes. */
export function stateKey(view: StatusView): string {
  return stateLine(view).replace(/ elapsed=\S+/, "");
}

export function demoScreen(
  view: StatusView,
  keys: DemoKeys,
  urls: { page: string | null; broker: string | null; station?: string | null },
  color = true,
): string {
  const r = view.recording;
  const rec = r.state === "active" || r.state === "post-roll";
  const lines: string[] = [];
  lines.push(
    paint(
      "1",
      `camsync demo — ${view.vehicle.name ?? ""} ${view.vehicle.id ? `(${view.vehicle.id})` : ""}`.trim(),
      color,
    ),
  );
  lines.push(
    `status page ${urls.page ?? "-"}    MQTT ${urls.broker ?? "-"}${urls.station ? `    station ${urls.station}` : ""}`,
  );
  lines.push("");
  const label = stateLabel(view);
  lines.push(
    `  ${paint(rec ? "1;41;97" : "1", ` ${label} `, color)}  ${elapsed(view)}${r.eventId ? `  event ${r.eventId}` : ""}`,
  );
  lines.push(`  ${rec ? (r.reason ?? (r.origin ? `started by ${r.origin}` : "")) : ""}`);
  lines.push("");
  lines.push("  Body cams");
  if (view.bodycams.length === 0) lines.push("    (none connected yet)");
  for (const b of view.bodycams) {
    const word = camWord(b);
    const code = word === "confirmed" ? "32" : word === "offline" || word === "unconfirmed" ? "31" : "33";
    const battery = b.battery === null ? "" : `  battery ${Math.round(b.battery)}%`;
    const latency = b.confirmed && b.latencyMs !== null ? ` in ${Math.round(b.latencyMs)} ms` : "";
    const label = b.name && b.name !== b.id ? `${b.id} (${b.name})` : b.id;
    lines.push(
      `    ${label.padEnd(24)} ${paint(code, word, color)}${latency}${b.recording ? "  REC" : ""}${battery}`,
    );
  }
  lines.push("");
  const cameras = view.cameras.map((c) => `${c.name} ${c.health}`).join(", ") || "none reported";
  lines.push(`  Cameras  ${cameras}`);
  const signals = view.bus.signals.map((x) => `${x.name} ${x.value}`).join(", ");
  lines.push(`  CAN bus  ${view.bus.health}${signals ? `  ${signals}` : ""}`);
  lines.push(`  Light bar (simulated) ${keys.lights ? "ON" : "off"}`);
  lines.push("");
  lines.push("  Alerts");
  if (view.alerts.length === 0) lines.push("    none");
  for (const a of view.alerts.slice(0, 4)) {
    lines.push(
      `    ${paint(a.severity === "critical" ? "31" : "33", a.severity.toUpperCase(), color)} ${a.message}`,
    );
  }
  lines.push("");
  const cams = keys.bodycams.map((id, i) => `${i + 1} ${id}'s record button`).join("   ");
  lines.push(
    paint(
      "2",
      `  keys: l light bar   b button   B long press (stop)   ${cams}${cams ? "   " : ""}q quit`,
      color,
    ),
  );
  return lines.join("\n");
}
