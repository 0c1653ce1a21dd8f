import { describe, expect, it } from "vitest";
import { commands } from "./index.js";

describe("the command list", () => {
  it.each(commands.map((c) => [c.name, c] as const))(
    "'%s' lists the command's own name and summary",
    async (_, entry) => {
      const cmd = await entry.load();
      expect({ name: cmd.name, summary: cmd.summary }).toEqual({ name: entry.name, summary: entry.summary });
    },
  );
});
