import { eventDirFor } from "../../evidence/amendment.js";
import { tagEvent } from "../../evidence/tag.js";
import { parseCommandArgs } from "../args.js";
import { EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";
import { LOCATE_HELP, locateDataDir, locateOptions } from "../locate.js";
import { viaDaemonOrDirect } from "../via-daemon-or-direct.js";

/** `camsync event tag EVENT_ID --category … --note … [--critical]` (dispatched from `camsync event`). */
export const EVENT_TAG_USAGE = `Usage: camsync event tag EVENT_ID [--category CAT] [--note TEXT] [--critical] [--by WHO]
                         [--config FILE | --data-dir DIR]

Adds metadata to a recorded event after the fact: a category, a note (notes accumulate),
or the critical flag (uploaded first). Each tag is a manifest amendment recorded in the
audit log; \`camsync verify\` follows it. With a daemon running the tag goes through its
control socket; otherwise it is written directly
under the audit log's lock file.

Options:
      --category CAT    event category (e.g. traffic-stop, pursuit, use-of-force)
      --note TEXT       a note to add
      --critical        mark the event critical
      --by WHO          who tags (officer id), recorded in the audit log
${LOCATE_HELP}`;

export async function runEventTag(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...locateOptions,
    category: { type: "string" },
    note: { type: "string" },
    critical: { type: "boolean" },
    by: { type: "string" },
  });
  if (positionals.length !== 1) throw new UsageError("expected exactly one EVENT_ID");
  const eventId = positionals[0] as string;
  if (values.category === undefined && values.note === undefined && !values.critical) {
    throw new UsageError("give --category, --note or --critical");
  }
  const dataDir = locateDataDir(values);
  const tags = {
    category: values.category,
    note: values.note,
    critical: values.critical ? true : undefined,
    by: values.by,
  };
  try {
    const request = {
      op: "event-tag",
      eventId,
      category: values.category,
      note: values.note,
      critical: values.critical ? true : undefined,
      by: values.by,
    } as const;
    const { via } = await viaDaemonOrDirect(dataDir, request, (audit) =>
      tagEvent(audit, eventDirFor(dataDir, eventId), tags),
    );
    process.stdout.write(
      `${eventId} tagged (${via === "daemon" ? "via the running daemon" : "written directly"}; recorded in the audit log)\n`,
    );
    return EXIT_OK;
  } catch (err) {
    process.stderr.write(`camsync event tag: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  }
}
