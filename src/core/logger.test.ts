import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, type LoggerOptions } from "./logger.js";

/** One line logged with `opts`, parsed. */
function logOnce(
  opts: Omit<LoggerOptions, "destination">,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  createLogger({ ...opts, destination }).info(fields, "hello");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? "") as Record<string, unknown>;
}

describe("createLogger", () => {
  const fields = {
    password: "p",
    cfg: { token: "t", s3: { secretAccessKey: "k" } },
    url: "mqtt://broker:1883",
    req: { url: "/x" },
  };

  it("by default writes service camsync and redacts credentials, not URLs (the daemon's lines)", () => {
    const line = logOnce({}, fields);
    expect(line).toMatchObject({
      level: "info",
      service: "camsync",
      msg: "hello",
      password: "***",
      cfg: { token: "***", s3: { secretAccessKey: "***" } },
      url: "mqtt://broker:1883",
      req: { url: "/x" },
    });
  });

  it("takes another service name and more paths to redact (the station's lines)", () => {
    const line = logOnce({ service: "camsync-station", redact: ["url", "*.url"] }, fields);
    expect(line).toMatchObject({
      service: "camsync-station",
      password: "***",
      cfg: { token: "***", s3: { secretAccessKey: "***" } },
      url: "***",
      req: { url: "***" },
    });
  });
});
