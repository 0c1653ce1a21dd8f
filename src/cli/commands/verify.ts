import { verifyPath } from "../../evidence/verify.js";
import { inputDirProblem } from "../../storage/input-file.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";

export const verifyCommand: CliCommand = {
  name: "verify",
  summary: "check event files, manifests and the audit log for any change",
  usage: `Usage: camsync verify EVENT_DIR | DATA_DIR [--json]

Checks every file against its manifest's SHA-256, every manifest against the hash-chained
audit log (finalization and recorded amendments only), and the audit chain itself.
A DATA_DIR is checked whole: the chain, every event, and every recorded event still present
unless its deletion was recorded. An EVENT_DIR inside a data dir is also checked against
that data dir's audit log.

Options:
      --json   print the findings as JSON

Exit codes: 0 everything holds (warnings are printed), 1 something changed (each named),
2 usage error.`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: "boolean" } });
    if (positionals.length !== 1) throw new UsageError("expected exactly one EVENT_DIR or DATA_DIR");
    const path = positionals[0] as string;
    const problem = inputDirProblem(path, "EVENT_DIR or DATA_DIR");
    if (problem) {
      process.stderr.write(`camsync verify: ${problem}\n`);
      return EXIT_FAILURE;
    }
    const report = await verifyPath(path);
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
          ? `OK: ${report.events} event(s), ${report.files} file(s), ${report.auditEntries} audit entries verified\n`
          : `FAILED: ${errors} problem(s) in ${report.events} event(s), ${report.files} file(s), ${report.auditEntries} audit entries\n`,
      );
    }
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  },
};
