import { createRequire } from "node:module";
import type * as Yaml from "yaml";

/**
 * The YAML parser, loaded only for the moment a file is read and then let go. The daemon reads YAML twice
 * in its life (the config at start, the S3 credentials when offload starts), yet the parser is ~70 modules:
 * kept loaded, its code and source text would sit in the daemon's heap for good (docs/performance.md,
 * "Memory"). An ES module can never be unloaded, so the parser is required as CommonJS (its Node build is
 * CommonJS) and its modules are dropped from the require cache after use; with no reference left, V8
 * collects them. Parsing again loads it again (a few milliseconds).
 */
export function withYaml<T>(use: (yaml: typeof Yaml) => T): T {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("yaml");
  const root = entry.slice(0, entry.lastIndexOf("/node_modules/yaml/") + "/node_modules/yaml/".length);
  const loadedBefore = new Set(Object.keys(require.cache));
  try {
    return use(require("yaml") as typeof Yaml);
  } finally {
    for (const id of Object.keys(require.cache)) {
      if (id.startsWith(root) && !loadedBefore.has(id)) delete require.cache[id];
    }
  }
}
