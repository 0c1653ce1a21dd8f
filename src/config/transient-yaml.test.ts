import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { withYaml } from "./transient-yaml.js";

const require = createRequire(import.meta.url);
const yamlModules = () => Object.keys(require.cache).filter((id) => id.includes("/node_modules/yaml/"));

describe("withYaml", () => {
  it("parses with the YAML library and leaves none of its modules in the require cache", () => {
    const before = yamlModules().length;
    const value = withYaml((yaml) => yaml.parse("vehicle:\n  id: car1\nlist: [1, 2]\n"));
    expect(value).toEqual({ vehicle: { id: "car1" }, list: [1, 2] });
    expect(yamlModules()).toHaveLength(before);
  });

  it("drops the modules when the parse throws, and works again afterwards", () => {
    const before = yamlModules().length;
    expect(() =>
      withYaml((yaml) => {
        throw new Error(`boom ${typeof yaml.parse}`);
      }),
    ).toThrow("boom function");
    expect(yamlModules()).toHaveLength(before);
    expect(withYaml((yaml) => yaml.parse("a: 1"))).toEqual({ a: 1 });
  });
});
