import { z } from "zod";
import { section } from "../config/describe.js";
import { isLoopbackHost } from "./loopback.js";

export const controlConfigSchema = section("Local control: the status page and the systemd watchdog.", {
  statusPage: section("The in-car status page (for the mobile data terminal).", {
    enabled: z.boolean().default(true).describe("Serve the status page."),
    host: z
      .string()
      .default("127.0.0.1")
      .describe("Address to listen on. Anything but loopback requires `token`."),
    port: z.number().int().min(0).max(65535).default(8080).describe("TCP port (0 = any free port)."),
    token: z
      .string()
      .min(16)
      .optional()
      .describe("Bearer token required by the page and its API when not served on loopback."),
  }).refine((p) => !p.enabled || p.token !== undefined || isLoopbackHost(p.host), {
    path: ["token"],
    message: "required when the status page listens on a non-loopback host",
  }),
});
