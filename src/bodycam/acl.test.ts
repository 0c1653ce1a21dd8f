import { describe, expect, it } from "vitest";
import { type AclAction, isAllowed } from "./acl.js";

const rules = { daemonUsername: "camsync" };
const R = "camsync/v1/unit12";

describe("ACL of the embedded broker (same rules as config/mosquitto/acl)", () => {
  it.each<[string | undefined, AclAction, string, boolean]>([
    ["camsync", "publish", `${R}/activation`, true],
    ["camsync", "publish", `${R}/status`, true],
    ["camsync", "publish", `${R}/upload`, true],
    ["camsync", "subscribe", `${R}/bodycam/+/status`, true],
    ["camsync", "subscribe", "camsync/v1/+/activation", true],
    ["camsync", "publish", "camsync/v1/+/activation", false],
    ["camsync", "subscribe", "#", false],
    ["bc1", "publish", `${R}/bodycam/bc1/status`, true],
    ["bc1", "publish", `${R}/bodycam/bc1/activation`, true],
    ["bc1", "publish", `${R}/bodycam/bc2/status`, false],
    ["bc1", "publish", `${R}/bodycam/bc2/activation`, false],
    ["bc1", "publish", `${R}/activation`, false],
    ["bc1", "publish", `${R}/status`, false],
    ["bc1", "publish", `${R}/alert`, false],
    ["bc1", "publish", `${R}/upload`, false],
    ["bc1", "publish", `${R}/bodycam/+/status`, false],
    ["bc1", "subscribe", `${R}/activation`, true],
    ["bc1", "subscribe", `${R}/status`, true],
    ["bc1", "subscribe", `${R}/bodycam/bc1/#`, true],
    ["bc1", "subscribe", `${R}/bodycam/+/status`, false],
    ["bc1", "subscribe", `${R}/#`, false],
    ["bc1", "subscribe", "#", false],
    ["bc1", "subscribe", `${R}/alert`, false],
    ["bc1", "subscribe", "camsync/v1/+/status", true],
    ["bc1", "subscribe", "camsync/v1/+/bodycam/bc2/status", false],
    ["bc1", "publish", "camsync/v1/other/bodycam/bc1/status", true],
    ["bc1x", "publish", `${R}/bodycam/bc1/status`, false],
    [undefined, "publish", `${R}/bodycam/bc1/status`, false],
    ["bc1", "publish", "$SYS/broker/x", false],
  ])("%s %s %s → %s", (user, action, topic, allowed) => {
    expect(isAllowed(rules, user, action, topic)).toBe(allowed);
  });

  const withObserver = { daemonUsername: "camsync", observers: ["station"] };
  it.each<[string, AclAction, string, boolean]>([
    ["station", "subscribe", "camsync/v1/+/status", true],
    ["station", "subscribe", "camsync/v1/+/upload", true],
    ["station", "subscribe", `${R}/activation`, true],
    ["station", "subscribe", `${R}/bodycam/+/status`, false],
    ["station", "subscribe", `${R}/bodycam/station/#`, false],
    ["station", "subscribe", `${R}/alert`, false],
    ["station", "subscribe", "camsync/v1/#", false],
    ["station", "publish", `${R}/status`, false],
    ["station", "publish", `${R}/activation`, false],
    ["station", "publish", `${R}/upload`, false],
    ["station", "publish", `${R}/bodycam/station/status`, false],
    ["station", "publish", `${R}/bodycam/station/activation`, false],
    ["bc1", "subscribe", "camsync/v1/+/upload", false],
    ["camsync", "publish", `${R}/status`, true],
  ])("observer: %s %s %s → %s", (user, action, topic, allowed) => {
    expect(isAllowed(withObserver, user, action, topic)).toBe(allowed);
  });
});
