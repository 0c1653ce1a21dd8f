import { z } from "zod";
import { section } from "../config/describe.js";

// First cut: the body-cam sync work extends these sections.
export const mqttConfigSchema = section("Connection to the in-car MQTT broker.", {
  url: z.string().default("mqtt://127.0.0.1:1883").describe("Broker URL (mqtt://, mqtts://)."),
});

export const bodycamConfigSchema = section("Paired body cams and activation confirmation.", {
  paired: z.array(z.strictObject({ id: z.string() })).default([]).describe("Body cams paired with this car."),
});
