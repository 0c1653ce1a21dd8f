import { z } from "zod";

/**
 * Small helpers so every config key carries a description (and, where it has one, a default)
 * in the one schema that validates, types the code and generates config/camsync.schema.json.
 */
export const section = <T extends z.ZodRawShape>(description: string, shape: T) =>
  z
    .strictObject(shape)
    .describe(description)
    .prefault({} as never);

export const seconds = (description: string, def: number, min = 0, max = 86_400) =>
  z.number().min(min).max(max).default(def).describe(description);

export const millis = (description: string, def: number, min = 0, max = 3_600_000) =>
  z.number().int().min(min).max(max).default(def).describe(description);

/** Names used in topics, file names and event ids. */
export const identifier = (description: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, "expected 1-32 letters, digits, '-' or '_'")
    .describe(description);
