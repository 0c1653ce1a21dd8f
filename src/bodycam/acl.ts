import { PROTOCOL_PREFIX } from "./topics.js";

/**
 * Who may publish and subscribe where: exactly the rules of config/mosquitto/acl, for the embedded broker.
 * - the daemon (its username) reads and writes everything under `camsync/v1/`;
 * - a body cam (username = its id) writes only under `camsync/v1/+/bodycam/{id}/` and reads the
 *   vehicle's `activation` and `status` and its own `bodycam/{id}/…`;
 * - an observer (embedded broker only, `mqtt.embeddedBroker.observers`: a station's fleet view) reads
 *   every vehicle's `status`, `activation` and `upload` announcements and publishes nothing;
 * - everyone else, and anything outside these, is denied.
 */
export interface AclRules {
  daemonUsername: string;
  observers?: readonly string[];
}

export type AclAction = "publish" | "subscribe";

function levels(topic: string): string[] {
  return topic.split("/");
}

/** A topic (or subscription filter) is allowed if every topic it can match is allowed: level by level. */
function filterWithin(filter: string, allowed: string): boolean {
  const f = levels(filter);
  const a = levels(allowed);
  for (let i = 0; i < f.length; i++) {
    const fl = f[i];
    const al = a[i];
    if (al === undefined) return false;
    if (al === "#") return true;
    if (fl === "#") return false;
    if (fl === "+" && al !== "+") return false;
    if (al !== "+" && fl !== al) return false;
  }
  return f.length === a.length || a[f.length] === "#";
}

export function isAllowed(
  rules: AclRules,
  username: string | undefined,
  action: AclAction,
  topic: string,
): boolean {
  if (!username || topic.length === 0 || topic.startsWith("$")) return false;
  if (action === "publish" && (topic.includes("+") || topic.includes("#"))) return false;
  if (username === rules.daemonUsername) return filterWithin(topic, `${PROTOCOL_PREFIX}/#`);
  if (rules.observers?.includes(username))
    return (
      action === "subscribe" &&
      ["status", "activation", "upload"].some((t) => filterWithin(topic, `${PROTOCOL_PREFIX}/+/${t}`))
    );
  const own = `${PROTOCOL_PREFIX}/+/bodycam/${username}/#`;
  if (action === "publish") return filterWithin(topic, own);
  return [own, `${PROTOCOL_PREFIX}/+/activation`, `${PROTOCOL_PREFIX}/+/status`].some((a) =>
    filterWithin(topic, a),
  );
}
