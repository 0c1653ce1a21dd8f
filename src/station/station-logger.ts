import { type LevelWithSilent, type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * The station's JSON logger (stdout, synchronous). The daemon's logger lives in src/daemon/ which
 * the station may not import; once it moves to src/core/ (issue 12) this becomes that one.
 */
export function createStationLogger(level: LevelWithSilent = "info"): Logger {
  return pino(
    {
      level,
      base: { service: "camsync-station" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ["password", "*.password", "token", "*.token", "url", "*.url"], censor: "***" },
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

export const silentStationLogger = (): Logger => pino({ level: "silent" });
