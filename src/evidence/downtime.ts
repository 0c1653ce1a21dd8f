/**
 * When the daemon was not running, from the audit log: every start writes `config-loaded`, every orderly
 * stop `daemon-stopped`. A start with no stop before it means a crash or power cut; its downtime runs
 * from the last entry written before it (the crash came at or after that). Pure, table-tested.
 */
export interface Downtime {
  from: string;
  to: string;
  /** false: crash or power cut (no orderly stop was recorded). */
  orderly: boolean;
}

export function daemonDowntime(
  entries: readonly { type: string; at: string }[],
  since: number,
  until: number | null,
): Downtime[] {
  const out: Downtime[] = [];
  let running = false;
  let stoppedAt: string | null = null;
  let lastAt: string | null = null;
  for (const e of entries) {
    if (e.type === "config-loaded") {
      if (running && lastAt) out.push({ from: lastAt, to: e.at, orderly: false });
      else if (stoppedAt) out.push({ from: stoppedAt, to: e.at, orderly: true });
      running = true;
      stoppedAt = null;
    } else if (e.type === "daemon-stopped") {
      running = false;
      stoppedAt = e.at;
    }
    lastAt = e.at;
  }
  return out.filter((d) => Date.parse(d.to) >= since && (until === null || Date.parse(d.from) < until));
}
