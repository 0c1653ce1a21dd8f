import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe } from "vitest";
import { type BrokerFixture, mosquittoFixture } from "./harness.js";
import { brokerScenarios } from "./scenarios.js";

const hasMosquitto = spawnSync("mosquitto", ["-h"]).error === undefined;

describe.skipIf(!hasMosquitto)(
  "body-cam sync on Mosquitto (shipped TLS client-certificate + ACL config)",
  () => {
    let broker: BrokerFixture;
    beforeAll(async () => {
      broker = await mosquittoFixture();
    });
    afterAll(async () => {
      await broker?.close();
    });
    brokerScenarios(() => broker);
  },
);
