import mqtt from "mqtt";
import { BodycamClips } from "../../bodycam/bodycam-clips.js";
import { ReferenceBodycam } from "../../bodycam/reference-bodycam.js";
import { isDeviceId, PROTOCOL_PREFIX } from "../../bodycam/topics.js";
import { VERSION } from "../../core/version.js";
import { readPem } from "../../storage/input-file.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";

const USAGE = `Usage: camsync bodycam --id ID --url URL [--vehicle ID] [--cert FILE --key FILE --ca FILE]
                       [--password PW] [--protocol 4|5] [--battery PERCENT]
                       [--clips DIR [--officer ID] [--dock DIR|URL [--dock-credentials FILE]]]

The reference body cam (MQTT protocol v1, docs/protocol.md): a simulated body camera that
publishes its status (retained, with a last will), records while the car's retained activation
is active and confirms it, and tells the car when its officer starts or stops it.
Events are printed as JSON lines on stdout.

Controls:
  keys (terminal)     s = start recording, x = stop, q = quit
  lines (stdin pipe)  start | stop | quit
  signals             SIGUSR1 = start, SIGUSR2 = stop, SIGINT/SIGTERM = go offline and quit

Options:
  --id ID             body-cam id (its MQTT identity: certificate CN, or username)
  --url URL           broker, e.g. mqtts://car.local:8883 or mqtt://127.0.0.1:1883
  --vehicle ID        the car (default: found from the car's retained status on the broker)
  --cert/--key FILE   client certificate and key (TLS listener, identity = certificate CN)
  --ca FILE           CA that signed the broker's certificate
  --password PW       password (embedded broker); or env CAMSYNC_BODYCAM_PASSWORD
  --protocol 4|5      MQTT 3.1.1 (4, default) or 5
  --battery PERCENT   starting battery of the simulation (default 100)
  --clips DIR         record real clips into DIR while recording (ffmpeg test pattern with the
                      cam's id and clock burned in; clip.mp4 + manifest.json per clip); without it
                      recording is only simulated
  --officer ID        the officer wearing the cam (written into each clip's manifest)
  --dock DIR|URL      upload finished clips to the station's storage: a directory, or
                      http(s)://HOST:PORT/BUCKET[/PREFIX/] (S3-compatible, path style); objects
                      bodycams/{camId}/{clipId}/…, manifest last (docs/protocol.md); resumes after a kill
  --dock-credentials FILE   S3 credentials (JSON/YAML/INI, mode 0600); default: AWS_* environment`;

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), event, ...fields })}\n`);
}

/** The car this broker serves: the vehicle id in the first retained `camsync/v1/{id}/status`. */
async function discoverVehicle(url: string, auth: mqtt.IClientOptions, timeoutMs = 5000): Promise<string> {
  const client = await mqtt.connectAsync(url, {
    ...auth,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
  });
  try {
    const found = new Promise<string>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no car status on ${url} within ${timeoutMs} ms; give --vehicle`)),
        timeoutMs,
      );
      client.on("message", (topic) => {
        const id = topic.split("/")[2] ?? "";
        if (!isDeviceId(id)) return;
        clearTimeout(t);
        resolve(id);
      });
    });
    await client.subscribeAsync(`${PROTOCOL_PREFIX}/+/status`, { qos: 1 });
    return await found;
  } finally {
    await client.endAsync(true);
  }
}

export const bodycamCommand: CliCommand = {
  name: "bodycam",
  summary: "run the reference body cam (simulated device, MQTT protocol v1)",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      id: { type: "string" },
      url: { type: "string" },
      vehicle: { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      ca: { type: "string" },
      password: { type: "string" },
      protocol: { type: "string" },
      battery: { type: "string" },
      clips: { type: "string" },
      officer: { type: "string" },
      dock: { type: "string" },
      "dock-credentials": { type: "string" },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(" ")}`);
    const { id, url } = values;
    if (!id || !isDeviceId(id))
      throw new UsageError("--id ID is required (1-32 letters, digits, '-' or '_')");
    if (!url || !/^(mqtts?|tcp|ssl|tls):\/\//.test(url))
      throw new UsageError("--url mqtt://HOST:PORT or mqtts://HOST:PORT is required");
    if (values.vehicle !== undefined && !isDeviceId(values.vehicle))
      throw new UsageError("--vehicle: not a vehicle id");
    if ((values.cert === undefined) !== (values.key === undefined))
      throw new UsageError("--cert and --key go together");
    const protocol = values.protocol === undefined ? 4 : Number(values.protocol);
    if (protocol !== 4 && protocol !== 5) throw new UsageError("--protocol expects 4 or 5");
    const battery = values.battery === undefined ? 100 : Number(values.battery);
    if (!Number.isFinite(battery) || battery < 0 || battery > 100)
      throw new UsageError("--battery expects 0-100");

    let files: { ca?: Buffer; cert?: Buffer; key?: Buffer };
    try {
      files = {
        ca: values.ca ? readPem(values.ca, "CA certificate") : undefined,
        cert: values.cert ? readPem(values.cert, "client certificate") : undefined,
        key: values.key ? readPem(values.key, "private key") : undefined,
      };
    } catch (err) {
      process.stderr.write(`camsync bodycam: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    }
    if (values.dock !== undefined && values.clips === undefined)
      throw new UsageError("--dock needs --clips DIR (the clips to dock)");
    const password = values.password ?? process.env.CAMSYNC_BODYCAM_PASSWORD;
    const username = files.cert && !password ? undefined : id;

    let vehicleId = values.vehicle;
    try {
      vehicleId ??= await discoverVehicle(url, {
        ...files,
        username,
        password,
        protocolVersion: protocol,
        clientId: id, // the identity's own id (docs/protocol.md); the cam connects after the probe ends
      });
    } catch (err) {
      process.stderr.write(`camsync bodycam: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    }

    const cam = new ReferenceBodycam({
      id,
      vehicleId,
      url,
      ...files,
      password,
      protocolVersion: protocol,
      battery,
    });
    cam.on("connect", () => emit("connected", { id, vehicleId, url }));
    cam.on("activation", (a) =>
      emit("activation", { eventId: a.eventId, active: a.active, origin: a.origin, seq: a.seq }),
    );
    cam.on("recording", (r) => emit("recording", { ...r, battery: cam.battery }));
    cam.on("invalid", (why) => emit("invalid-payload", { why }));
    const clips =
      values.clips === undefined
        ? null
        : new BodycamClips(cam, vehicleId, {
            dir: values.clips,
            officer: values.officer ?? null,
            ...(values.dock !== undefined ? { dock: values.dock } : {}),
            ...(values["dock-credentials"] !== undefined
              ? { dockCredentialsFile: values["dock-credentials"] }
              : {}),
            software: { name: "camsync", version: VERSION },
            report: emit,
          });
    try {
      await clips?.start();
      await cam.start();
    } catch (err) {
      process.stderr.write(`camsync bodycam: ${(err as Error).message}\n`);
      await clips?.stop().catch(() => {});
      await cam.stop();
      return EXIT_FAILURE;
    }

    return await new Promise<number>((resolve) => {
      const act = (what: string) => {
        if (what === "s" || what === "start") cam.pressStart();
        else if (what === "x" || what === "stop") cam.pressStop();
        else if (what === "q" || what === "quit" || what === "\u0003") void quit();
      };
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        if (process.stdin.isTTY) for (const ch of text) act(ch);
        else for (const line of text.split("\n")) act(line.trim());
      };
      const onUsr1 = () => cam.pressStart();
      const onUsr2 = () => cam.pressStop();
      const onQuit = () => void quit();
      let quitting = false;
      const quit = async () => {
        if (quitting) return;
        quitting = true;
        process.off("SIGUSR1", onUsr1).off("SIGUSR2", onUsr2).off("SIGINT", onQuit).off("SIGTERM", onQuit);
        process.stdin.off("data", onData);
        if (process.stdin.isTTY) process.stdin.setRawMode(false);
        process.stdin.pause();
        await clips?.stop();
        await cam.stop();
        emit("offline", { id });
        resolve(EXIT_OK);
      };
      process.on("SIGUSR1", onUsr1).on("SIGUSR2", onUsr2).on("SIGINT", onQuit).on("SIGTERM", onQuit);
      if (process.stdin.isTTY) process.stdin.setRawMode(true);
      process.stdin.on("data", onData);
    });
  },
};
