/**
 * MQTT protocol v1 topic names. `R` = `camsync/v1/{vehicleId}`.
 * Body-cam ids and vehicle ids are identifiers (1-32 of A-Z a-z 0-9 _ -), so they never contain
 * `/`, `+` or `#`.
 */
export const PROTOCOL_PREFIX = "camsync/v1";

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

export function isDeviceId(id: string): boolean {
  return ID.test(id);
}

export interface Topics {
  root: string;
  status: string;
  activation: string;
  alert: string;
  /** Upload announcements (not retained): an event's manifest is on the storage server, verified. */
  upload: string;
  bodycamStatus(id: string): string;
  bodycamActivation(id: string): string;
  /** Wildcards the daemon subscribes to. */
  bodycamStatusAll: string;
  bodycamActivationAll: string;
}

export function topicsFor(vehicleId: string): Topics {
  const root = `${PROTOCOL_PREFIX}/${vehicleId}`;
  return {
    root,
    status: `${root}/status`,
    activation: `${root}/activation`,
    alert: `${root}/alert`,
    upload: `${root}/upload`,
    bodycamStatus: (id) => `${root}/bodycam/${id}/status`,
    bodycamActivation: (id) => `${root}/bodycam/${id}/activation`,
    bodycamStatusAll: `${root}/bodycam/+/status`,
    bodycamActivationAll: `${root}/bodycam/+/activation`,
  };
}

export type ParsedTopic =
  | { kind: "status" }
  | { kind: "activation" }
  | { kind: "alert" }
  | { kind: "bodycam-status"; bodycamId: string }
  | { kind: "bodycam-activation"; bodycamId: string }
  | { kind: "other" };

/** Classify a topic under this vehicle's root; anything else (or a malformed id) is `other`. */
export function parseTopic(topics: Topics, topic: string): ParsedTopic {
  if (topic === topics.status) return { kind: "status" };
  if (topic === topics.activation) return { kind: "activation" };
  if (topic === topics.alert) return { kind: "alert" };
  const prefix = `${topics.root}/bodycam/`;
  if (!topic.startsWith(prefix)) return { kind: "other" };
  const rest = topic.slice(prefix.length).split("/");
  if (rest.length !== 2) return { kind: "other" };
  const [id, leaf] = rest as [string, string];
  if (!isDeviceId(id)) return { kind: "other" };
  if (leaf === "status") return { kind: "bodycam-status", bodycamId: id };
  if (leaf === "activation") return { kind: "bodycam-activation", bodycamId: id };
  return { kind: "other" };
}
