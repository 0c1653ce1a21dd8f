import { PROTOCOL_PREFIX } from "./topics.js";

/**
 * Who may publish and subscribe where: the same rules as config/mosquitto/acl, for the embedded broker.
 * - the daemon (its username) reads and writes everything under `camsync/v1/{vehicleId}/`;
 * - a body cam (username = its id) writes only under `R/bodycam/{id}/` and reads `R/activation`,
 *   `R/status` and its own `R/bodycam/{id}/…`;
 * - everyone else is denied.
 */
export interface AclRules {
  vehicleId: string;
  daemonUsername: string;
}

export type AclAction = "publish" | "subscribe";

function levels(topic: string): string[] {
  return topic.split("/");
}

/** A subscription filter is allowed if every topic it can match is allowed: compare level by level. */
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
  const root = `${PROTOCOL_PREFIX}/${rules.vehicleId}`;
  if (username === rules.daemonUsername) return filterWithin(topic, `${root}/#`);
  if (action === "publish") {
    if (topic.includes("+") || topic.includes("#")) return false;
    return filterWithin(topic, `${root}/bodycam/${username}/#`);
  }
  return [`${root}/activation`, `${root}/status`, `${root}/bodycam/${username}/#`].some((a) =>
    filterWithin(topic, a),
  );
}
