// A recorder in its own process (from dist/), so a test can kill it like a crashed daemon.
// argv[2]: JSON { dataDir, config }. Prints "ready" once every camera has a segment; then reads
// decisions as JSON lines on stdin and emits them on the bus.
import { createInterface } from "node:readline";
import { systemClock } from "../../dist/core/clock.js";
import { activationConfigSchema } from "../../dist/core/config.js";
import { EventBus } from "../../dist/core/event-bus.js";
import { silentLogger } from "../../dist/core/logger.js";
import { recorderConfigSchema } from "../../dist/recorder/config.js";
import { createRecorder } from "../../dist/recorder/dash-recorder.js";

const { dataDir, config } = JSON.parse(process.argv[2] ?? "{}");
const bus = new EventBus();
const recorder = createRecorder({
  config: recorderConfigSchema.parse(config),
  dataDir,
  vehicle: { id: "unit12" },
  activation: activationConfigSchema.parse({ preEventSeconds: 2, postRollSeconds: 2 }),
  bus,
  clock: systemClock,
  logger: silentLogger(),
});
await recorder.start();
await recorder.ready();
process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  bus.emit("decision", JSON.parse(line));
  process.stdout.write("ok\n");
}
