import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeMqttLink } from "../../test/support/fake-mqtt-link.js";
import { DurableDelivery } from "./delivery.js";
import { Outbox } from "./outbox.js";

const dirs: string[] = [];
const outbox = () => {
  const d = mkdtempSync(join(tmpdir(), "camsync-delivery-"));
  dirs.push(d);
  return new Outbox(join(d, "outbox.jsonl"));
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("DurableDelivery", () => {
  it("keeps a message until its PUBACK, replays pending ones in order after a reconnect", () => {
    const box = outbox();
    const link = new FakeMqttLink();
    link.autoAck = false;
    const d = new DurableDelivery(box);
    d.attach(link);
    d.send("t/a", "1", true); // broker down: only in the outbox
    link.goUp();
    expect(d.replay().map((e) => e.payload)).toEqual(["1"]);
    d.send("t/b", "2", false);
    expect(link.published.map((p) => p.payload)).toEqual(["1", "2"]);
    expect(d.pending).toBe(2);
    link.goDown(); // PUBACKs lost with the connection
    link.goUp();
    d.replay();
    link.ackAll();
    expect(d.pending).toBe(0);
    expect(link.published.map((p) => p.payload)).toEqual(["1", "2", "1", "2"]);
    expect(d.isOwn("1")).toBe(true);
    expect(d.isOwn("2")).toBe(false); // not retained: no echo to recognise
    box.close();
  });

  it("hands a message to the broker before appending it to the outbox, and clears the entry on its PUBACK", () => {
    const box = outbox();
    const link = new FakeMqttLink();
    link.goUp();
    link.autoAck = false;
    const inOutboxAtPublish: number[] = [];
    const publish = link.publish.bind(link);
    link.publish = (...args) => {
      inOutboxAtPublish.push(box.size);
      return publish(...args);
    };
    const d = new DurableDelivery(box);
    d.attach(link);
    d.send("t/a", "activation", true);
    expect(inOutboxAtPublish).toEqual([0]); // the append did not delay the publish
    expect(box.pending().map((e) => e.payload)).toEqual(["activation"]); // and happened in the same call
    link.ackAll();
    expect(d.pending).toBe(0);
    // A link that acknowledges inside publish() (none that talks to a broker does) still clears the entry.
    link.autoAck = true;
    d.send("t/b", "alert", false);
    expect(d.pending).toBe(0);
    box.close();
  });

  it("still sends when the outbox cannot be written (disk full), and says so", () => {
    const box = outbox();
    box.close(); // every write now fails
    const link = new FakeMqttLink();
    link.goUp();
    const errors: string[] = [];
    const d = new DurableDelivery(box, (err) => errors.push(err.message));
    d.attach(link);
    d.send("t/a", "activation", true);
    expect(link.published.map((p) => p.payload)).toEqual(["activation"]);
    expect(errors).toHaveLength(1);
  });
});
