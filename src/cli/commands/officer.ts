import { eventDirFor } from "../../evidence/amendment.js";
import { currentOfficer, setEventOfficer, setOfficer } from "../../evidence/officer.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";
import { LOCATE_HELP, locateDataDir, locateOptions } from "../locate.js";
import { viaDaemonOrDirect } from "../via-daemon-or-direct.js";

export const officerCommand: CliCommand = {
  name: "officer",
  summary: "set the officer on shift (recorded in manifests and the audit log)",
  usage: `Usage: camsync officer set ID [--event EVENT_ID] [--config FILE | --data-dir DIR]
       camsync officer show [--config FILE | --data-dir DIR]

  set ID              the officer for new events from now on (start of shift); overrides
                      vehicle.officer from the config. Recorded in the audit log.
  set ID --event ID   the officer of one recorded event, after the fact (a manifest amendment,
                      recorded in the audit log; verification follows it). Needs the daemon
                      stopped (the control socket has no per-event officer request yet).
  show                the officer new events get

With a daemon running the change goes through its control socket; otherwise it is written
directly under the audit log's lock file.

Options:
${LOCATE_HELP}`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { ...locateOptions, event: { type: "string" } });
    const [sub, id, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`);
    const dataDir = locateDataDir(values);
    try {
      if (sub === "show") {
        if (id) throw new UsageError("show takes no arguments");
        process.stdout.write(
          `${currentOfficer(dataDir) ?? "(none set: vehicle.officer from the config applies)"}\n`,
        );
        return EXIT_OK;
      }
      if (sub !== "set" || !id) throw new UsageError("expected `officer set ID` or `officer show`");
      const eventId = values.event;
      if (eventId) {
        await viaDaemonOrDirect(dataDir, { op: "officer-set", officer: id, eventId }, (audit) =>
          setEventOfficer(audit, eventDirFor(dataDir, eventId), id, "cli"),
        );
        process.stdout.write(`officer of ${eventId} set to ${id} (recorded in the audit log)\n`);
        return EXIT_OK;
      }
      const { via } = await viaDaemonOrDirect(dataDir, { op: "officer-set", officer: id }, (audit) =>
        setOfficer(audit, dataDir, id, Date.now(), "cli"),
      );
      process.stdout.write(
        `officer on shift: ${id} (${via === "daemon" ? "via the running daemon" : "written directly"})\n`,
      );
      return EXIT_OK;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      process.stderr.write(`camsync officer: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    }
  },
};
