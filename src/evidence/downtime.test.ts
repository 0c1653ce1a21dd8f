import { describe, expect, it } from "vitest";
import { daemonDowntime } from "./downtime.js";

const at = (h: number) => new Date(Date.UTC(2026, 10, 26, h)).toISOString();
const e = (type: string, h: number) => ({ type, at: at(h) });

describe("daemon downtime from the audit log", () => {
  it.each([
    ["one run, still running", [e("config-loaded", 1), e("decision", 2)], []],
    [
      "orderly stop and start",
      [e("config-loaded", 1), e("daemon-stopped", 3), e("config-loaded", 5)],
      [{ from: at(3), to: at(5), orderly: true }],
    ],
    [
      "crash: the downtime starts at the last entry written",
      [e("config-loaded", 1), e("alert", 4), e("config-loaded", 6)],
      [{ from: at(4), to: at(6), orderly: false }],
    ],
    [
      "operator action with the daemon stopped does not end the downtime",
      [e("config-loaded", 1), e("daemon-stopped", 2), e("officer-set", 3), e("config-loaded", 4)],
      [{ from: at(2), to: at(4), orderly: true }],
    ],
    ["stopped and not started again", [e("config-loaded", 1), e("daemon-stopped", 2)], []],
  ])("%s", (_name, entries, expected) => {
    expect(daemonDowntime(entries, 0, null)).toEqual(expected);
  });

  it("keeps only downtime overlapping the report window", () => {
    const entries = [
      e("config-loaded", 1),
      e("daemon-stopped", 2),
      e("config-loaded", 3),
      e("daemon-stopped", 10),
      e("config-loaded", 12),
    ];
    expect(daemonDowntime(entries, Date.parse(at(5)), Date.parse(at(11)))).toEqual([
      { from: at(10), to: at(12), orderly: true },
    ]);
  });
});
