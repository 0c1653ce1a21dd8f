import { exitAfterStop } from "../../daemon/exit-backstop.js";
import { runDemo } from "../../demo/demo.js";
import { DEMO_CONFIG_PATH, demoConfig, parsePort } from "../../demo/demo-config.js";
import { DEMO_STATION_PORT, demoPort } from "../../demo/demo-ports.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, UsageError } from "../command.js";
import { loadOrReport } from "./run.js";

export const demoCommand: CliCommand = {
  name: "demo",
  summary: "the whole system on this machine (simulated inputs, test-pattern camera, broker, body cams)",
  usage: `Usage: camsync demo [--config FILE] [--data-dir DIR] [--mqtt-port N] [--http-port N]
                    [--station-port N] [--no-tty] [--no-station] [--duration S]

Runs the real daemon on config/demo.yaml with a simulated light bar and button, a replayed CAN
capture and GPS track (config/demo-can.candump, config/demo-gps.nmea), a test-pattern camera, the
embedded MQTT broker and a reference body cam for every paired one. Prints the status page and
broker URLs, and the page's launch link: a browser opened from it may Start / Mark / Stop (the
plain page URL shows the state only). Events land in DIR/events/, logs in DIR/camsync.log.

Keys (terminal UI):
  l   light bar on/off          b   in-car button (start, or bookmark while recording)
  B   long press (manual stop)  1/2 body cam 1/2's own record button
  q   quit

Options:
  -c, --config FILE     demo config (default ${DEMO_CONFIG_PATH})
  -d, --data-dir DIR    data directory (default: the config's, ./var)
      --mqtt-port N     embedded broker port (0 = any free port; default: the config's,
                        or a free one when that is taken, e.g. by a Mosquitto service)
      --http-port N     status page port (0 = any free port; default as for --mqtt-port)
      --no-tty          no terminal UI: print the URLs, then one state line per change
                        (keys are still read from stdin)
      --station-port N  the station's web UI port (0 = any free port; default 8090, or a free
                        one when that is taken)
      --no-station      only the car and its body cams: no evidence bucket, no clip docking,
                        no station
      --duration S      stop after S seconds`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      config: { type: "string", short: "c" },
      "data-dir": { type: "string", short: "d" },
      "mqtt-port": { type: "string" },
      "http-port": { type: "string" },
      "no-tty": { type: "boolean" },
      "no-station": { type: "boolean" },
      "station-port": { type: "string" },
      duration: { type: "string" },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(" ")}`);
    let mqttPort: number | undefined;
    let httpPort: number | undefined;
    let stationPort: number | undefined;
    try {
      stationPort = parsePort(values["station-port"], "--station-port");
      mqttPort = parsePort(values["mqtt-port"], "--mqtt-port");
      httpPort = parsePort(values["http-port"], "--http-port");
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const duration = values.duration === undefined ? undefined : Number(values.duration);
    if (duration !== undefined && !(Number.isFinite(duration) && duration > 0)) {
      throw new UsageError(`--duration expects a number of seconds > 0, got '${values.duration}'`);
    }
    const loaded = loadOrReport(values.config ?? DEMO_CONFIG_PATH);
    if (!loaded) return EXIT_FAILURE;
    const notice = (text: string) => process.stdout.write(`${text}\n`);
    const { embeddedBroker } = loaded.mqtt;
    const { statusPage } = loaded.control;
    if (embeddedBroker.enabled) {
      mqttPort = await demoPort("MQTT", embeddedBroker.host, mqttPort, embeddedBroker.port, notice);
    }
    if (statusPage.enabled)
      httpPort = await demoPort("status page", statusPage.host, httpPort, statusPage.port, notice);
    if (values["no-station"] !== true)
      stationPort = await demoPort("station", "127.0.0.1", stationPort, DEMO_STATION_PORT, notice);
    // The shipped demo keeps its data in ./var of the current directory; another --config, where it says.
    const dataDir = values["data-dir"] ?? (values.config === undefined ? "var" : undefined);
    const config = demoConfig(loaded, { dataDir, mqttPort, httpPort });
    const code = await runDemo({
      config,
      tty: values["no-tty"] !== true,
      durationSeconds: duration,
      station: values["no-station"] !== true,
      stationPort,
      stdin: process.stdin,
      stdout: process.stdout,
    });
    exitAfterStop(code);
    return code;
  },
};
