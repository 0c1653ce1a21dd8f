import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { verifyAuditFile } from "../../evidence/audit-file-verify.js";
import { verifyPath } from "../../evidence/verify.js";
import type { verifyExport } from "../../station/custody/export-verify.js";
import { inputDirProblem, inputFileProblem } from "../../storage/input-file.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";

type AnyReport = Awaited<ReturnType<typeof verifyPath>> | Awaited<ReturnType<typeof verifyExport>>;

/** A ZIP starts with a local file header. */
function isZipFile(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  } finally {
    closeSync(fd);
  }
}

const summary = (r: AnyReport) =>
  "members" in r
    ? `export: ${r.members} member(s), ${r.items} recording(s), signed by key ${r.keyFingerprint ?? "(none)"}`
    : `${r.events} event(s), ${r.files} file(s), ${r.auditEntries} audit entries`;

export const verifyCommand: CliCommand = {
  name: "verify",
  summary: "check event files, manifests and the audit log for any change",
  usage: `Usage: camsync verify EVENT_DIR | DATA_DIR | AUDIT_FILE | EXPORT.zip [--key PEM] [--json]

Checks every file against its manifest's SHA-256, every manifest against the hash-chained
audit log (finalization and recorded amendments only), and the audit chain itself.
A DATA_DIR is checked whole: the chain, every event, and every recorded event still present
unless its deletion was recorded. An EVENT_DIR inside a data dir is also checked against
that data dir's audit log. A station data dir (or its audit.jsonl) is checked the same way: the
station's chain of custody has the car's format.

EXPORT.zip (a court export from the station) is checked offline: the Ed25519 signature over
SHA256SUMS, every member's SHA-256 (each changed member named), no unlisted member, every video
against its manifest. Without --key the key inside the ZIP is used and its fingerprint printed:
compare it with the station's published fingerprint.

Options:
      --key PEM  the station's published public key (PEM file) to check an export against
      --json     print the findings as JSON

Exit codes: 0 everything holds (warnings are printed), 1 something changed (each named),
2 usage error.`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      json: { type: "boolean" },
      key: { type: "string" },
    });
    if (positionals.length !== 1)
      throw new UsageError("expected exactly one EVENT_DIR, DATA_DIR, AUDIT_FILE or EXPORT.zip");
    const path = positionals[0] as string;
    // A directory (event or data dir) or a regular file (audit file, export ZIP); never a device or FIFO.
    const what = "EVENT_DIR, DATA_DIR, AUDIT_FILE or EXPORT.zip";
    const problem =
      existsSync(path) && statSync(path).isFile()
        ? inputFileProblem(path, what)
        : inputDirProblem(path, what);
    if (problem) {
      process.stderr.write(`camsync verify: ${problem}\n`);
      return EXIT_FAILURE;
    }
    if (values.key !== undefined && !existsSync(values.key)) {
      process.stderr.write(`camsync verify: --key ${values.key}: no such file\n`);
      return EXIT_FAILURE;
    }
    const isFile = statSync(path).isFile();
    let report: Awaited<ReturnType<typeof verifyExport>> | ReturnType<typeof verifyAuditFile>;
    if (isFile && isZipFile(path)) {
      report = await (await import("../../station/custody/export-verify.js")).verifyExport(
        path,
        values.key ? { publicKeyPem: readFileSync(values.key, "utf8") } : {},
      );
    } else if (isFile) {
      report = verifyAuditFile(path);
      if (report.auditEntries === 0 && !report.ok) {
        // Not one audit entry read: this is no audit log (nor an export), not a tampered one.
        process.stderr.write(`camsync verify: ${path}: neither an export ZIP nor an audit log\n`);
        return EXIT_FAILURE;
      }
    } else {
      report = await verifyPath(path);
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const f of report.findings) {
        process.stdout.write(
          `${f.severity === "error" ? "CHANGED" : "warning"}  ${f.subject}: ${f.message}\n`,
        );
      }
      const errors = report.findings.filter((f) => f.severity === "error").length;
      process.stdout.write(
        report.ok
          ? `OK: ${summary(report)} verified\n`
          : `FAILED: ${errors} problem(s) in ${summary(report)}\n`,
      );
    }
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  },
};
