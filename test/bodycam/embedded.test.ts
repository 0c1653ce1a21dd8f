import { afterAll, beforeAll, describe } from "vitest";
import { type BrokerFixture, embeddedFixture } from "./harness.js";
import { brokerScenarios } from "./scenarios.js";

describe("body-cam sync on the embedded broker (aedes, MQTT 3.1.1, same ACL)", () => {
  let broker: BrokerFixture;
  beforeAll(async () => {
    broker = await embeddedFixture();
  });
  afterAll(async () => {
    await broker?.close();
  });
  brokerScenarios(() => broker);
});
