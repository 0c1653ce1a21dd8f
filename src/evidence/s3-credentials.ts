import { readFileSync, statSync } from "node:fs";
import { z } from "zod";
import { withYaml } from "../config/transient-yaml.js";

/**
 * Storage credentials from a file only the service user can read. Accepted formats:
 * JSON or YAML `{accessKeyId, secretAccessKey, sessionToken?}`, or INI (AWS shared-credentials style,
 * `aws_access_key_id = …` / `aws_secret_access_key = …`, first section or `[default]`).
 * Error messages name the file and the problem, never a value from it.
 */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export class CredentialsError extends Error {
  override name = "CredentialsError";
}

const credentialsSchema = z.object({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1).optional(),
});

const INI_KEYS: Record<string, keyof S3Credentials> = {
  aws_access_key_id: "accessKeyId",
  accesskeyid: "accessKeyId",
  access_key_id: "accessKeyId",
  aws_secret_access_key: "secretAccessKey",
  secretaccesskey: "secretAccessKey",
  secret_access_key: "secretAccessKey",
  aws_session_token: "sessionToken",
  sessiontoken: "sessionToken",
  session_token: "sessionToken",
};

function parseIni(text: string): Record<string, string> | null {
  const sections = new Map<string, Record<string, string>>();
  let current = "";
  let any = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = (header[1] as string).trim();
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) return null;
    const key = INI_KEYS[line.slice(0, eq).trim().toLowerCase()];
    if (!key) continue;
    const values = sections.get(current) ?? {};
    values[key] = line.slice(eq + 1).trim();
    sections.set(current, values);
    any = true;
  }
  if (!any) return null;
  return sections.get("default") ?? sections.get("") ?? [...sections.values()][0] ?? null;
}

/** Parse credentials text (JSON, YAML or INI). */
export function parseCredentials(text: string, path: string): S3Credentials {
  let value: unknown = null;
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new CredentialsError(`${path}: not valid JSON`);
    }
  } else if (/^\[|^[A-Za-z_]+\s*=/m.test(trimmed) && !/^\w+\s*:/m.test(trimmed)) {
    value = parseIni(trimmed);
  } else {
    try {
      value = withYaml((yaml) => yaml.parse(trimmed));
    } catch {
      throw new CredentialsError(`${path}: not valid YAML`);
    }
  }
  const parsed = credentialsSchema.safeParse(value);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => i.path.join(".") || "file").join(", ");
    throw new CredentialsError(
      `${path}: expected accessKeyId and secretAccessKey (problem with: ${missing})`,
    );
  }
  return parsed.data;
}

/** Load the credentials file, refusing it when group or others have any access to it. */
export function loadCredentials(path: string): S3Credentials {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    throw new CredentialsError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if ((mode & 0o077) !== 0) {
    throw new CredentialsError(
      `${path}: refusing credentials readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
    );
  }
  return parseCredentials(readFileSync(path, "utf8"), path);
}
