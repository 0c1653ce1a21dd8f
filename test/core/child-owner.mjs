// A camsync process in miniature (from dist/), so a test can SIGKILL it: it starts one kind of child
// through the real code, prints "ready", then idles until killed. argv[2]: kind; argv[3]: JSON options.
import { createReadStream, readFileSync } from "node:fs";
import { PassThrough } from "node:stream";

const kind = process.argv[2];
const o = JSON.parse(process.argv[3] ?? "{}");
const dist = (path) => import(new URL(`../../dist/${path}`, import.meta.url).href);

// quiet, as the recorder runs it (a chatty ffmpeg would die of EPIPE on its stderr and prove nothing)
const QUIET_FFMPEG =
  "-nostdin -nostats -loglevel warning -re -f lavfi -i testsrc=size=160x120:rate=10 -f null -".split(" ");

const starters = {
  async gpiomon() {
    const { systemClock } = await dist("core/clock.js");
    const { GpiomonLine } = await dist("inputs/gpiomon-line.js");
    const line = new GpiomonLine({
      chip: "gpiochip0",
      line: 17,
      version: 1,
      clock: systemClock,
      commands: { gpiomon: o.gpiomon, gpioget: o.gpioget },
    });
    await line.open({ edge() {}, problem() {} });
  },
  async candump() {
    const { systemClock } = await dist("core/clock.js");
    const { EventBus } = await dist("core/event-bus.js");
    const { socketcanSourceSchema } = await dist("vehicle/source-config.js");
    const { SocketcanSource } = await dist("vehicle/socketcan-source.js");
    const config = socketcanSourceSchema.parse({ type: "socketcan", interface: "vcan0", candump: o.candump });
    await new SocketcanSource(config, { clock: systemClock, bus: new EventBus() }).start();
  },
  async mosquitto() {
    const { MosquittoProcess } = await dist("bodycam/mosquitto-process.js");
    await MosquittoProcess.start(o);
  },
  async capture() {
    const { launchCapture } = await dist("recorder/ffmpeg-process.js");
    launchCapture("ffmpeg", QUIET_FFMPEG);
  },
  async tool() {
    // a short-lived tool that has not finished yet (its own timeout is far away)
    const { runTool } = await dist("recorder/ffmpeg-process.js");
    runTool("ffmpeg", QUIET_FFMPEG).catch(() => {});
  },
  async clipCut() {
    // the station cutting a clip whose source stalls midway (a slow object store): ffmpeg waits on stdin
    const { cutClip } = await dist("station/custody/clip-cut.js");
    const source = new PassThrough();
    const file = createReadStream(o.mp4, { end: o.bytes - 1 });
    file.on("data", (b) => source.write(b));
    cutClip(source, 0, 60).resume();
  },
  async concat() {
    // an event's streamed concat whose feed stalls after the first chunk
    const { concatStreamsToMp4 } = await dist("recorder/ffmpeg-process.js");
    concatStreamsToMp4("ffmpeg", 1, o.output, async (_i, write) => {
      await write(readFileSync(o.ts).subarray(0, o.bytes));
      await new Promise(() => {});
    }).catch(() => {});
  },
  async stubborn() {
    // a child that ignores SIGTERM: the guard must follow up with SIGKILL
    const { spawn } = await import("node:child_process");
    const { guardUntilExit } = await dist("core/parent-death.js");
    guardUntilExit(spawn("sh", ["-c", 'trap "" TERM; exec sleep 600'], { stdio: "ignore" }), {
      killAfterMs: o.killAfterMs,
    });
  },
};

const start = starters[kind];
if (!start) throw new Error(`unknown kind ${kind}`);
await start();
setInterval(() => {}, 60_000);
process.stdout.write("ready\n");
