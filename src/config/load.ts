import { dirname, isAbsolute, resolve } from "node:path";
import type { z } from "zod";
import { InputPathError, readInputFileSync } from "../storage/input-file.js";
import { resolveConfigPaths } from "./config-paths.js";
import { type Config, configSchema } from "./schema.js";
import { withYaml } from "./transient-yaml.js";

export const DEFAULT_CONFIG_PATH = "/etc/camsync/camsync.yaml";
/** A config is a few KB; anything past this is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export type ConfigResult =
  | { ok: true; config: Config; path: string }
  | { ok: false; problems: string[]; path: string };

/** Thrown by `loadConfigOrThrow`: every problem, one per line, each prefixed by its path. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${path}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(top level)";
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return typeof v === "string" ? `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"` : String(v);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** One readable line per schema problem, e.g. `inputs.gpio[1].debounceMs: expected a number >= 0`. */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = formatPath(issue.path);
  const got = valueAt(input, issue.path);
  switch (issue.code) {
    case "invalid_type": {
      if (got === undefined) return `${where}: required (expected ${issue.expected})`;
      const expected = issue.expected === "number" ? "a number" : issue.expected;
      return `${where}: expected ${expected}, got ${describeValue(got)}`;
    }
    case "too_small": {
      const op = issue.inclusive ? ">=" : ">";
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return `${where}: expected a number ${op} ${String(issue.minimum)}, got ${describeValue(got)}`;
      if (issue.origin === "string") return `${where}: expected at least ${String(issue.minimum)} characters`;
      if (issue.origin === "array") return `${where}: expected at least ${String(issue.minimum)} items`;
      return `${where}: ${issue.message}`;
    }
    case "too_big": {
      const op = issue.inclusive ? "<=" : "<";
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return `${where}: expected a number ${op} ${String(issue.maximum)}, got ${describeValue(got)}`;
      if (issue.origin === "string") return `${where}: expected at most ${String(issue.maximum)} characters`;
      if (issue.origin === "array") return `${where}: expected at most ${String(issue.maximum)} items`;
      return `${where}: ${issue.message}`;
    }
    case "unrecognized_keys":
      return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown key`).join("\n");
    case "invalid_value":
      return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(got)}`;
    case "invalid_union":
      return `${where}: ${issue.message === "Invalid input" ? `no accepted form matches ${describeValue(got)}` : issue.message}`;
    case "invalid_format":
      return `${where}: ${issue.message}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/** Validate an already-parsed object. */
export function validateConfig(
  input: unknown,
): { ok: true; config: Config } | { ok: false; problems: string[] } {
  const result = configSchema.safeParse(input);
  if (result.success) return { ok: true, config: result.data };
  const problems = result.error.issues.flatMap((i) => formatIssue(i, input).split("\n"));
  return { ok: false, problems };
}

/** Parse YAML text and validate it. Every problem (YAML syntax or schema) is returned at once. */
export function parseConfigText(text: string, path = "<config>"): ConfigResult {
  const parsed = withYaml((yaml) => {
    const doc = yaml.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length === 0) return { ok: true as const, raw: (doc.toJS() ?? {}) as unknown };
    return {
      ok: false as const,
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}` : "YAML"}: ${e.message.split("\n")[0]}`;
      }),
    };
  });
  if (!parsed.ok) return { ok: false, path, problems: parsed.problems };
  const raw = parsed.raw;
  const v = validateConfig(raw);
  return v.ok ? { ok: true, config: v.config, path } : { ok: false, problems: v.problems, path };
}

export function loadConfigFile(path: string): ConfigResult {
  const abs = isAbsolute(path) ? path : resolve(path);
  let text: string;
  try {
    // A regular text file of sane size: never a FIFO (blocks), a device (/dev/zero never ends) or a directory.
    text = readInputFileSync(abs, { what: "config file", maxBytes: MAX_CONFIG_BYTES, text: true }).toString(
      "utf8",
    );
  } catch (err) {
    if (!(err instanceof InputPathError)) throw err;
    return { ok: false, path: abs, problems: [err.message] };
  }
  const r = parseConfigText(text, abs);
  // Relative paths in the file mean "next to this file", whatever the working directory.
  return r.ok ? { ...r, config: resolveConfigPaths(r.config, dirname(abs)) } : r;
}

export function loadConfigOrThrow(path: string): Config {
  const r = loadConfigFile(path);
  if (!r.ok) throw new ConfigError(r.path, r.problems);
  return r.config;
}
