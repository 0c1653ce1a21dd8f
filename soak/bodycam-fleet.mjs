// The paired body cams: the project's reference body cam (dist/bodycam/reference-bodycam.js), several in
// this process, each with its own broker identity. Every activation received and every recording change is
// kept with its time, for the invariants and the latency bench.
import { ReferenceBodycam } from "../dist/bodycam/reference-bodycam.js";

export class BodycamFleet {
  /** @param {{ url: string, vehicleId: string, cams: { id: string, tls: { ca: Buffer, cert: Buffer, key: Buffer } }[], protocolVersion?: 4 | 5 }} opts */
  constructor(opts) {
    this.opts = opts;
    /** { at, id, payload, receivedAt } */
    this.activations = [];
    /** { at, id, recording, eventId, why } */
    this.recordings = [];
    this.cams = opts.cams.map(
      (c) =>
        new ReferenceBodycam({
          id: c.id,
          vehicleId: opts.vehicleId,
          url: opts.url,
          ...c.tls,
          protocolVersion: opts.protocolVersion ?? 4,
          statusIntervalMs: 10_000,
        }),
    );
    for (const cam of this.cams) {
      cam.on("activation", (payload, receivedAt) =>
        this.activations.push({ at: Date.now(), id: cam.id, payload, receivedAt }),
      );
      cam.on("recording", (r) => this.recordings.push({ at: Date.now(), id: cam.id, ...r }));
      cam.on("invalid", () => {});
    }
  }

  async start() {
    await Promise.all(this.cams.map((c) => c.start(15_000)));
  }

  async stop() {
    await Promise.all(this.cams.map((c) => c.stop().catch(() => {})));
  }

  cam(id) {
    const c = this.cams.find((x) => x.id === id);
    if (!c) throw new Error(`no body cam ${id}`);
    return c;
  }
}
