import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import {
  runSlcanHandshake,
  type SlcanReply,
  SlcanReplyWaiter,
  slcanOpenSequence,
} from "./slcan-handshake.js";

const base = { bitrate: 500_000, listenOnly: true, timestamps: false, queryVersion: false };
const commands = (cfg: typeof base) => slcanOpenSequence(cfg).map((s) => s.command);

describe("slcanOpenSequence", () => {
  it.each([
    ["listen-only by default", base, ["C\r", "S6\r", "L\r"]],
    ["normal open only when listenOnly is false", { ...base, listenOnly: false }, ["C\r", "S6\r", "O\r"]],
    ["timestamps before opening", { ...base, timestamps: true }, ["C\r", "S6\r", "Z1\r", "L\r"]],
    ["version query after closing", { ...base, queryVersion: true }, ["C\r", "V\r", "S6\r", "L\r"]],
    ["S0 for 10 kbit/s", { ...base, bitrate: 10_000 }, ["C\r", "S0\r", "L\r"]],
    ["S7 for 800 kbit/s (Lawicel, kernel)", { ...base, bitrate: 800_000 }, ["C\r", "S7\r", "L\r"]],
    ["S8 for 1 Mbit/s", { ...base, bitrate: 1_000_000 }, ["C\r", "S8\r", "L\r"]],
  ])("%s", (_name, cfg, want) => {
    expect(commands(cfg)).toEqual(want);
  });

  it.each([750_000, 83_300, 0, 500_001])("rejects %d bit/s with the supported list", (bitrate) => {
    expect(() => slcanOpenSequence({ ...base, bitrate })).toThrow(
      /SLCAN cannot select .* supported: 10, 20, 50/,
    );
  });
});

/** A scripted adapter: replies per command, "timeout" for silence. */
function scripted(replies: Record<string, SlcanReply | "timeout">) {
  const sent: string[] = [];
  const request = async (command: string) => {
    sent.push(command);
    return replies[command] ?? { kind: "ack" as const };
  };
  return { sent, request };
}

describe("runSlcanHandshake", () => {
  const steps = slcanOpenSequence({ ...base, queryVersion: true, timestamps: true });

  it("runs every step and keeps the version", async () => {
    const a = scripted({ "V\r": { kind: "version", hardware: 10, software: 13, raw: "1013" } });
    await expect(runSlcanHandshake(steps, a.request, 500)).resolves.toEqual({ version: "1013", skipped: [] });
    expect(a.sent).toEqual(["C\r", "V\r", "S6\r", "Z1\r", "L\r"]);
  });

  it("accepts BEL to the initial close (channel already closed) and skips an unanswered version query", async () => {
    const a = scripted({ "C\r": { kind: "nack" }, "V\r": "timeout" });
    const r = await runSlcanHandshake(steps, a.request, 500);
    expect(r.version).toBeNull();
    expect(r.skipped).toEqual(["read the version: no reply to 'V' within 500 ms"]);
    expect(a.sent).toEqual(["C\r", "V\r", "S6\r", "Z1\r", "L\r"]);
  });

  it.each([
    [
      "S6\r",
      { kind: "nack" } as const,
      "SLCAN open failed (set the bitrate to 500000 bit/s): adapter refused 'S6' (BEL)",
    ],
    ["L\r", "timeout" as const, "SLCAN open failed (open listen-only): no reply to 'L' within 500 ms"],
    ["Z1\r", { kind: "nack" } as const, "SLCAN open failed (turn on timestamps): adapter refused 'Z1' (BEL)"],
    ["S6\r", { kind: "serial", serial: "X1" } as const, "unexpected reply 'serial' to 'S6'"],
  ])("fails clearly when %j gets %j", async (command, reply, message) => {
    const a = scripted({ [command]: reply });
    await expect(runSlcanHandshake(steps, a.request, 500)).rejects.toThrow(message);
    expect(a.sent.at(-1)).toBe(command);
  });
});

describe("SlcanReplyWaiter", () => {
  it("resolves with the next reply, times out on the clock, and counts unsolicited replies", async () => {
    const clock = new FakeClock();
    const w = new SlcanReplyWaiter(clock);
    expect(w.offer({ kind: "ack" })).toBe(false);
    expect(w.unsolicited).toBe(1);
    const first = w.expect(100);
    expect(w.offer({ kind: "garbage", reason: "x", line: "x" })).toBe(false);
    expect(w.offer({ kind: "nack" })).toBe(true);
    await expect(first).resolves.toEqual({ kind: "nack" });
    const second = w.expect(100);
    clock.advance(99);
    expect(clock.timerCount).toBe(1);
    clock.advance(1);
    await expect(second).resolves.toBe("timeout");
    expect(clock.timerCount).toBe(0);
  });
});
