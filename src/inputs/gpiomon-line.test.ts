import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import type { Level } from "./digital-line.js";
import type { ToolProcess } from "./gpiod-process.js";
import { GpiomonLine } from "./gpiomon-line.js";

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

class FakeChild extends EventEmitter implements ToolProcess {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  killedWith: string | null = null;
  constructor(
    readonly command: string,
    readonly args: string[],
  ) {
    super();
  }
  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    this.killedWith = signal;
    setImmediate(() => this.exit(null, signal));
    return true;
  }
  print(text: string): void {
    this.stdout.write(text);
  }
  exit(code: number | null, signal: NodeJS.Signals | null = null, stderr = ""): void {
    if (stderr) this.stderr.write(stderr);
    this.stdout.end();
    this.stderr.end();
    setImmediate(() => this.emit("close", code, signal));
  }
}

/** Scripted libgpiod tools: short-lived tools answer from `answers`, gpiomon stays running. */
function fakeTools(answers: Record<string, () => string>, levels: { gpioget: Level[] } = { gpioget: [] }) {
  const spawned: FakeChild[] = [];
  const spawn = (command: string, args: string[]) => {
    const child = new FakeChild(command, args);
    spawned.push(child);
    const key = [command, ...args].join(" ");
    setImmediate(() => {
      if (command === "gpiomon" && args[0] !== "--version") return;
      const answer = answers[key];
      if (answer) {
        child.print(answer());
        child.exit(0);
      } else if (command === "gpioget" && levels.gpioget.length > 0) {
        child.print(`${levels.gpioget.shift()}\n`);
        child.exit(0);
      } else child.exit(1, null, `${command}: unexpected call: ${key}\n`);
    });
    return child;
  };
  const monitors = () => spawned.filter((c) => c.command === "gpiomon" && c.args[0] !== "--version");
  return { spawn, spawned, monitors, calls: () => spawned.map((c) => [c.command, ...c.args].join(" ")) };
}

function listener() {
  const edges: Level[] = [];
  const problems: (string | null)[] = [];
  return {
    edges,
    problems,
    edge: (l: Level) => edges.push(l),
    problem: (p: string | null) => problems.push(p),
  };
}

describe("GpiomonLine with libgpiod 1.6", () => {
  it("detects 1.6, reads with gpioget, watches with gpiomon -b and parses its edges", async () => {
    const tools = fakeTools({
      "gpiomon --version": () => "gpiomon (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski\n",
      "gpioget pinctrl-bcm2711 17": () => "0\n",
    });
    const clock = new FakeClock();
    const line = new GpiomonLine({
      chip: "pinctrl-bcm2711",
      line: 17,
      version: "auto",
      clock,
      spawn: tools.spawn,
    });
    const l = listener();
    expect(await line.open(l)).toBe(0);
    await flush();
    expect(tools.calls()).toEqual([
      "gpiomon --version",
      "gpioget pinctrl-bcm2711 17",
      "gpiomon -b pinctrl-bcm2711 17",
    ]);
    expect(line.description).toBe("pinctrl-bcm2711 line 17 (gpiomon v1, pinctrl-bcm2711)");
    const mon = tools.monitors()[0];
    mon?.print("event:  RISING EDGE offset: 17 timestamp: [    1546.123456789]\nevent: FALLING EDGE offs");
    await flush();
    expect(l.edges).toEqual([1]);
    expect(line.read()).toBe(1);
    mon?.print("et: 17 timestamp: [    1546.223456789]\nevent:  RISING EDGE offset: 18 timestamp: [1.0]\n");
    await flush();
    expect(l.edges).toEqual([1, 0]);
    expect(line.read()).toBe(0);
    await line.close();
    expect(mon?.killedWith).toBe("SIGTERM");
    clock.advance(60_000);
    await flush();
    expect(tools.monitors()).toHaveLength(1);
    expect(clock.timerCount).toBe(0);
  });
});

describe("GpiomonLine with libgpiod 2.x", () => {
  it("looks a label up with gpiodetect (2.x takes no labels), uses -c and parses 2.x output", async () => {
    const tools = fakeTools({
      "gpiomon --version": () => "gpiomon (libgpiod) v2.1.3\n",
      gpiodetect: () =>
        "gpiochip0 [pinctrl-rp1] (54 lines)\ngpiochip10 [gpio-brcmstb@107d508500] (32 lines)\ngpiochip11 [gpio-brcmstb@107d508520] (4 lines)\n",
      "gpioget -c gpiochip0 17": () => '"17"=active\n',
    });
    const line = new GpiomonLine({
      chip: "pinctrl-rp1",
      line: 17,
      version: "auto",
      clock: new FakeClock(),
      spawn: tools.spawn,
    });
    const l = listener();
    expect(await line.open(l)).toBe(1);
    await flush();
    expect(tools.calls()).toEqual([
      "gpiomon --version",
      "gpiodetect",
      "gpioget -c gpiochip0 17",
      "gpiomon -c gpiochip0 17",
    ]);
    tools
      .monitors()[0]
      ?.print('1546.223456789\tfalling\tgpiochip0 17 "GPIO17"\n1546.3\trising\tgpiochip0 17\n');
    await flush();
    expect(l.edges).toEqual([0, 1]);
    await line.close();
  });

  it("a configured version skips detection; a chip name needs no gpiodetect", async () => {
    const tools = fakeTools({ "gpioget -c gpiochip0 4": () => "4=inactive\n" });
    const line = new GpiomonLine({
      chip: "gpiochip0",
      line: 4,
      version: 2,
      clock: new FakeClock(),
      spawn: tools.spawn,
    });
    expect(await line.open(listener())).toBe(0);
    await flush();
    expect(tools.calls()).toEqual(["gpioget -c gpiochip0 4", "gpiomon -c gpiochip0 4"]);
    await line.close();
  });

  it("an unknown label is a clear error listing the chips", async () => {
    const tools = fakeTools({ gpiodetect: () => "gpiochip0 [pinctrl-bcm2711] (58 lines)\n" });
    const line = new GpiomonLine({
      chip: "pinctrl-rp1",
      line: 4,
      version: 2,
      clock: new FakeClock(),
      spawn: tools.spawn,
    });
    await expect(line.open(listener())).rejects.toThrow(
      "no GPIO chip labelled 'pinctrl-rp1' (gpiodetect: gpiochip0 [pinctrl-bcm2711])",
    );
  });

  it("an unreadable version asks for gpiomonVersion", async () => {
    const tools = fakeTools({ "gpiomon --version": () => "gpiomon version 3\n" });
    const line = new GpiomonLine({
      chip: "gpiochip0",
      line: 4,
      version: "auto",
      clock: new FakeClock(),
      spawn: tools.spawn,
    });
    await expect(line.open(listener())).rejects.toThrow(/set gpiomonVersion to 1 or 2/);
  });
});

describe("GpiomonLine restarts", () => {
  it("restarts gpiomon with backoff, re-reading the line first so an edge missed while down is caught", async () => {
    const tools = fakeTools({}, { gpioget: [0, 1, 1, 1] });
    const clock = new FakeClock();
    const line = new GpiomonLine({ chip: "gpiochip0", line: 17, version: 1, clock, spawn: tools.spawn });
    const l = listener();
    expect(await line.open(l)).toBe(0);
    await flush();
    tools.monitors()[0]?.exit(1, null, "gpiomon: error waiting for events: Bad file descriptor\n");
    await flush();
    expect(l.problems).toEqual([
      "gpiomon exited (exit 1): gpiomon: error waiting for events: Bad file descriptor; restarting in 500 ms",
    ]);
    clock.advance(499);
    await flush();
    expect(tools.monitors()).toHaveLength(1);
    clock.advance(1);
    await flush();
    expect(tools.monitors()).toHaveLength(2);
    expect(l.edges).toEqual([1]); // gpioget found the line high: the rising edge was missed
    tools.monitors()[1]?.exit(1);
    await flush();
    expect(l.problems.at(-1)).toBe("gpiomon exited (exit 1); restarting in 1000 ms");
    clock.advance(1000);
    await flush();
    expect(tools.monitors()).toHaveLength(3);
    expect(line.starts).toBe(3);
    clock.advance(2000);
    await flush();
    expect(l.problems.at(-1)).toBeNull();
    tools.monitors()[2]?.exit(0);
    await flush();
    expect(l.problems.at(-1)).toBe("gpiomon exited (exit 0); restarting in 500 ms");
    await line.close();
    clock.advance(10_000);
    await flush();
    expect(tools.monitors()).toHaveLength(3);
    expect(clock.timerCount).toBe(0);
  });

  it("a gpiomon that cannot be started is retried like one that exited", async () => {
    const clock = new FakeClock();
    let fail = true;
    const base = fakeTools({}, { gpioget: [0, 0] });
    const spawn = (command: string, args: string[]) => {
      const child = base.spawn(command, args);
      if (command === "gpiomon" && fail) {
        fail = false;
        setImmediate(() => child.emit("error", new Error("spawn gpiomon ENOENT")));
      }
      return child;
    };
    const line = new GpiomonLine({ chip: "gpiochip0", line: 3, version: 1, clock, spawn });
    const l = listener();
    await line.open(l);
    await flush();
    expect(l.problems).toEqual(["gpiomon could not run (spawn gpiomon ENOENT); restarting in 500 ms"]);
    clock.advance(500);
    await flush();
    expect(line.starts).toBe(2);
    await line.close();
  });
});
