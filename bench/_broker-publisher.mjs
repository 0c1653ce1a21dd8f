// The broker baseline's publisher for bench/latency-e2e.mjs, in a process of its own as the daemon is: the
// body cams' process (the bench) is asleep when the message reaches it, as it is when the daemon publishes.
// Argument: JSON { url, caFile, certFile, keyFile, clientId, topic, size }. On stdin, one command per line:
// `go` takes the time (performance.timeOrigin + now(), µs resolution, comparable across processes) and
// publishes; `when` prints the last `go`'s time. Nothing is printed while a message is on its way, so the
// bench is not woken by this process. Exits when stdin ends (the bench is gone).
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import mqtt from "mqtt";

const o = JSON.parse(process.argv[2] ?? "{}");
const client = await mqtt.connectAsync(o.url, {
  ca: readFileSync(o.caFile),
  cert: readFileSync(o.certFile),
  key: readFileSync(o.keyFile),
  clientId: o.clientId,
  clean: true,
  reconnectPeriod: 0,
});
client.on("close", () => {
  process.stderr.write("latency-e2e baseline publisher: connection closed\n");
  process.exit(1);
});
const body = "x".repeat(o.size);
let sentAt = Number.NaN;
process.stdin.on("end", () => process.exit(0));
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "go") {
    sentAt = performance.timeOrigin + performance.now();
    client.publish(o.topic, body, { qos: 1 });
  } else if (line === "when") {
    process.stdout.write(`${sentAt}\n`);
  }
});
process.stdout.write("ready\n");
