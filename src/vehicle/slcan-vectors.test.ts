import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fixturePresent, sharedFixtures } from "../../test/support/fixtures.js";
import { bitrateCommand, encodeSlcanFrame, SLCAN_COMMANDS } from "./slcan-commands.js";
import { type SlcanMessage, SlcanParser } from "./slcan-parser.js";

const vectorsFile = path.join(sharedFixtures, "slcan/slcan_vectors.json");
const present = fixturePresent(vectorsFile);

const frameSpec = z.object({
  id: z.string(),
  extended: z.boolean(),
  remote: z.boolean(),
  dlc: z.number(),
  data: z.string(),
  fd: z.boolean().optional(),
  brs: z.boolean().optional(),
  timestamp: z.string().optional(),
});
type FrameSpec = z.infer<typeof frameSpec>;

const vector = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("decode"), source: z.string(), input: z.string(), expect: frameSpec }),
  z.object({
    kind: z.literal("decode_stream"),
    source: z.string(),
    chunks: z.array(z.string()),
    expect_after_each_chunk: z.array(z.array(frameSpec)),
  }),
  z.object({ kind: z.literal("encode"), source: z.string(), frame: frameSpec, expect: z.string() }),
  z.object({
    kind: z.literal("command"),
    source: z.string(),
    send: z.string(),
    device_reply: z.string(),
    expect: z.union([z.string(), z.record(z.string(), z.union([z.string(), z.number()]))]).optional(),
  }),
  z.object({
    kind: z.literal("decode_state"),
    source: z.string(),
    input: z.string(),
    expect: z.object({ state: z.string(), rx_errors: z.number(), tx_errors: z.number() }),
  }),
  z.object({
    kind: z.literal("decode_error"),
    source: z.string(),
    input: z.string(),
    expect: z.array(z.string()),
  }),
]);

const vectors = present
  ? z.object({ vectors: z.array(vector) }).parse(JSON.parse(readFileSync(vectorsFile, "utf8"))).vectors
  : [];

const bytes = (s: string) => Buffer.from(s, "latin1");
const hexBytes = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));

/** The same frame in the parser's shape, independent of the hex case the vector uses. */
function normalise(f: {
  id: number;
  extended: boolean;
  remote?: boolean;
  dlc: number;
  data: Uint8Array;
  brs?: boolean;
}) {
  return {
    id: f.id,
    extended: f.extended,
    remote: f.remote ?? false,
    dlc: f.dlc,
    data: Buffer.from(f.data).toString("hex"),
  };
}
function expected(spec: FrameSpec) {
  return {
    id: Number.parseInt(spec.id, 16),
    extended: spec.extended,
    remote: spec.remote,
    dlc: spec.dlc,
    data: spec.data.toLowerCase(),
  };
}
function fdFrames(messages: SlcanMessage[]) {
  return messages.flatMap((m) => (m.kind === "fd-frame" ? [m.frame] : []));
}

/** Commands camsync itself sends, by the vector's `send` text. The others are adapter features it never uses. */
const OUR_COMMANDS: Record<string, string> = {
  "C\r": SLCAN_COMMANDS.close,
  "O\r": SLCAN_COMMANDS.open,
  "L\r": SLCAN_COMMANDS.listenOnly,
  "Z1\r": SLCAN_COMMANDS.timestampsOn,
  "V\r": SLCAN_COMMANDS.version,
  "N\r": SLCAN_COMMANDS.serial,
  "F\r": SLCAN_COMMANDS.statusFlags,
  "S6\r": bitrateCommand(500_000),
  "S8\r": bitrateCommand(1_000_000),
};
const NOT_SENT = new Set(["l\r", "P\r", "p\r", "A\r", "Q\r"]);

describe.skipIf(!present)(
  `SLCAN vectors (${present ? vectorsFile : "../shared/fixtures/slcan absent: skipped"})`,
  () => {
    it("has the 54 transcribed vectors", () => {
      expect(vectors).toHaveLength(54);
    });

    it.each(vectors.map((v, i) => [`${i} ${v.kind} ${v.source}`, v] as const))("%s", (_name, v) => {
      switch (v.kind) {
        case "decode": {
          const out = new SlcanParser().push(bytes(v.input), 1);
          expect(out.messages.filter((m) => m.kind === "garbage")).toEqual([]);
          if (v.expect.fd) {
            expect(out.frames).toEqual([]);
            const fd = fdFrames(out.messages);
            expect(fd.map(normalise)).toEqual([expected(v.expect)]);
            expect(fd[0]?.brs).toBe(v.expect.brs);
          } else {
            expect(out.frames.map(normalise)).toEqual([expected(v.expect)]);
          }
          return;
        }
        case "decode_stream": {
          const parser = new SlcanParser();
          v.chunks.forEach((chunk, i) => {
            const out = parser.push(bytes(chunk), 1);
            expect(out.frames.map(normalise)).toEqual((v.expect_after_each_chunk[i] ?? []).map(expected));
          });
          return;
        }
        case "encode": {
          const f = v.frame;
          const hexCase = v.source === "cvra/CAN-USB-dongle-fw" ? "lower" : "upper";
          const encoded = encodeSlcanFrame(
            {
              id: Number.parseInt(f.id, 16),
              extended: f.extended,
              remote: f.remote,
              dlc: f.dlc,
              data: hexBytes(f.data),
              fd: f.fd ?? false,
              brs: f.brs ?? false,
              ...(f.timestamp ? { deviceTimeMs: Number.parseInt(f.timestamp, 16) } : {}),
            },
            { hexCase },
          );
          expect(encoded).toBe(v.expect);
          // And the decoder reads our own encoding back to the same frame.
          const back = new SlcanParser().push(bytes(encoded), 1);
          const decoded = f.fd ? fdFrames(back.messages) : back.frames;
          expect(decoded.map(normalise)).toEqual([expected(f)]);
          return;
        }
        case "command": {
          const ours = OUR_COMMANDS[v.send];
          if (ours === undefined) expect(NOT_SENT.has(v.send)).toBe(true);
          else expect(ours).toBe(v.send);
          const out = new SlcanParser().push(bytes(v.device_reply), 1);
          expect(out.frames).toEqual([]);
          const reply = out.messages;
          expect(reply).toHaveLength(1);
          const m = reply[0];
          if (v.device_reply === "\r") expect(m).toEqual({ kind: "ack" });
          else if (v.device_reply === "\u0007") expect(m).toEqual({ kind: "nack" });
          else if (v.send === "V\r") {
            expect(m?.kind).toBe("version");
            if (typeof v.expect === "object" && m?.kind === "version") {
              expect({ hw_version: m.hardware, sw_version: m.software }).toEqual(v.expect);
            }
          } else if (v.send === "N\r") {
            expect(m).toEqual({ kind: "serial", serial: v.device_reply.slice(1, -1) });
            if (typeof v.expect === "object") expect(v.expect.serial).toBe(v.device_reply.slice(1, -1));
          } else if (v.send === "F\r") {
            expect(m).toEqual({ kind: "status-flags", flags: 0 });
          } else {
            throw new Error(`unhandled command vector ${JSON.stringify(v)}`);
          }
          return;
        }
        case "decode_state": {
          const out = new SlcanParser().push(bytes(v.input), 1);
          expect(out.messages).toEqual([
            {
              kind: "bus-state",
              state: v.expect.state,
              rxErrors: v.expect.rx_errors,
              txErrors: v.expect.tx_errors,
            },
          ]);
          return;
        }
        case "decode_error": {
          const out = new SlcanParser().push(bytes(v.input), 1);
          expect(out.messages).toEqual([{ kind: "bus-error", errors: v.expect }]);
          return;
        }
      }
    });
  },
);
