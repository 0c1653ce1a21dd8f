// What each module costs the daemon in resident memory: a fresh Node process (with the daemon's own flags from
// the systemd unit) imports one package or one camsync module, then reports its RSS; the difference from a
// bare process is that module's cost, including everything it pulls in. Figures overlap (zod is inside the
// config schema's figure), so they are not additive; they say where a diet would pay.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { unitNodeFlags } from "./_unit-node-flags.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PROBE = `
const spec = process.argv[1];
if (spec) await import(spec);
await new Promise((r) => setTimeout(r, 200));
const m = /VmRSS:\\s+(\\d+) kB/.exec((await import("node:fs")).readFileSync("/proc/self/status", "utf8"));
process.stdout.write(String(Number(m[1]) / 1024));
`;
const MODULES = [
  ["zod", "zod"],
  ["mqtt", "mqtt"],
  ["pino", "pino"],
  ["yaml", "yaml"],
  ["serialport (loaded only when a serial line opens)", "serialport"],
  ["config schema (zod + every section)", "./dist/config/schema.js"],
  ["MQTT protocol payloads", "./dist/bodycam/payloads.js"],
  ["body-cam sync (mqtt + payloads)", "./dist/bodycam/bodycam-sync.js"],
  ["recorder", "./dist/recorder/dash-recorder.js"],
  ["audit log", "./dist/evidence/audit-log.js"],
  ["status page", "./dist/statuspage/status-page.js"],
  ["vehicle bus (without serialport)", "./dist/vehicle/vehicle-bus.js"],
  ["the daemon's composition root", "./dist/daemon/daemon.js"],
  ["`camsync run` (CLI + daemon)", "./dist/cli/commands/run.js"],
];

function rss(spec) {
  const runs = [0, 1, 2].map(() =>
    Number(
      execFileSync(process.execPath, [...unitNodeFlags(), "--input-type=module", "-e", PROBE, spec ?? ""], {
        cwd: root,
        encoding: "utf8",
      }),
    ),
  );
  return runs.sort((a, b) => a - b)[1];
}

export async function run() {
  const bare = rss();
  const figures = [
    {
      key: "rssBareNode",
      label: "RSS of Node.js alone (daemon's flags)",
      value: Math.round(bare * 10) / 10,
      unit: "MiB",
      target: null,
      meets: null,
    },
  ];
  for (const [label, spec] of MODULES) {
    figures.push({
      key: `rssCost_${spec.replace(/[^a-z0-9]+/gi, "_")}`,
      label: `… + ${label}`,
      value: Math.round((rss(spec) - bare) * 10) / 10,
      unit: "MiB",
      target: null,
      meets: null,
    });
  }
  return { name: "module-cost", figures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
