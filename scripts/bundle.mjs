// The shipped program: `dist/app/camsync.mjs`, one ES module bundled from the compiled `dist/cli/main.js`
// with rolldown, plus a chunk per lazily loaded command or feature. Bundling camsync's own modules and
// its pure-JavaScript dependencies (zod, MQTT.js, pino, yaml) leaves one module record instead of ~300
// and drops what nothing uses (zod's locales among it): the daemon's RSS falls by ~5 MiB
// (docs/performance.md, "Memory"). Packages with native addons, files beside their code or heavy
// lazily loaded code stay in node_modules and are imported from there at run time.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "app");

/** Imported from node_modules at run time, never bundled. */
const EXTERNAL = [
  "@aws-sdk/", // offload and the station only, loaded on use
  "@electric-sql/pglite", // WebAssembly and data files beside its code
  "@serialport/", // native addon (node-gyp-build)
  "serialport",
  "aedes", // the embedded broker, only where configured
  "epoll", // native (onoff)
  "fs-ext", // native flock(2)
  "hls.js", // served as a file to the review page
  "node-unix-socket", // native (sd_notify)
  "onoff",
  "pg",
  "yaml", // required at run time by config/transient-yaml.ts and dropped after the config is read
  "yauzl",
  "yazl",
];
const isExternal = (id) =>
  id.startsWith("node:") ||
  EXTERNAL.some((p) => (p.endsWith("/") ? id.startsWith(p) : id === p || id.startsWith(`${p}/`)));

rmSync(out, { recursive: true, force: true });
await build({
  input: { camsync: join(root, "dist", "cli", "main.js") },
  platform: "node",
  external: isExternal,
  logLevel: "warn",
  output: {
    dir: out,
    format: "esm",
    entryFileNames: "[name].mjs",
    chunkFileNames: "[name]-[hash].mjs",
    sourcemap: false,
    minify: { compress: true, mangle: false, codegen: { removeWhitespace: true } },
  },
});
