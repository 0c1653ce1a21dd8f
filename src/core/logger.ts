import { type DestinationStream, type LevelWithSilent, type Logger, pino } from "pino";

export type { Logger } from "pino";

/** Keys whose values never reach a log line. */
const REDACT = [
  "password",
  "*.password",
  "*.*.password",
  "token",
  "*.token",
  "*.*.token",
  "secretAccessKey",
  "*.secretAccessKey",
  "*.*.secretAccessKey",
  "authorization",
  "*.authorization",
];

/** Remove credentials from URLs and free text (ffmpeg stderr, error messages). */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+):([^/@\s]+)@/gi, "$1$2:***@")
    .replace(/((?:password|passwd|token|secret|key)=)[^&\s]+/gi, "$1***");
}

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Defaults to stdout, synchronously (evidence-relevant lines must not be lost). */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? "info",
      base: { service: "camsync" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: "***" },
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that discards everything (tests, CLI subcommands). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
