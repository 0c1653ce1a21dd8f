import { describe, expect, it } from "vitest";
import { captureArgs, runIdFor, SEGMENT_PATTERN, segmentListName } from "./capture-args.js";
import { recorderConfigSchema } from "./config.js";

const camera = (c: Record<string, unknown>) => {
  const cam = recorderConfigSchema.parse({ cameras: [{ name: "front", ...c }] }).cameras[0];
  if (!cam) throw new Error("no camera");
  return cam;
};
const run = { ringDir: "/data/ring/front", run: "20261126T142233123", segmentSeconds: 1 };

/** The value following `flag` (first occurrence after `from`). */
const optionValue = (args: string[], flag: string, from = 0) => args[args.indexOf(flag, from) + 1];

describe("captureArgs", () => {
  it("test camera: lavfi pattern and tone in real time, cheap H.264 with a keyframe every segment", () => {
    const args = captureArgs(
      camera({ input: { type: "test" }, video: { width: 320, height: 240, fps: 15 } }),
      run,
    );
    expect(args.join(" ")).toContain(
      "-re -f lavfi -i testsrc2=size=320x240:rate=15 -re -f lavfi -i sine=frequency=1000",
    );
    expect(optionValue(args, "-c:v")).toBe("libx264");
    expect(optionValue(args, "-preset")).toBe("ultrafast");
    expect(optionValue(args, "-tune")).toBe("zerolatency");
    expect(optionValue(args, "-g")).toBe("15");
    expect(optionValue(args, "-sc_threshold")).toBe("0");
    expect(optionValue(args, "-force_key_frames")).toBe("expr:gte(t,n_forced*1)");
    expect(optionValue(args, "-map", args.indexOf("-c:v"))).toBe("1:a:0");
  });

  it("segment output: MPEG-TS segments, CSV list in the ring, names sortable by run", () => {
    const args = captureArgs(camera({ input: { type: "test" } }), { ...run, segmentSeconds: 2 });
    expect(optionValue(args, "-f", args.indexOf("-c:v"))).toBe("segment");
    expect(optionValue(args, "-segment_format")).toBe("mpegts");
    expect(optionValue(args, "-segment_time")).toBe("2");
    expect(optionValue(args, "-segment_list")).toBe(`/data/ring/front/${segmentListName(run.run)}`);
    expect(optionValue(args, "-segment_list_type")).toBe("csv");
    expect(optionValue(args, "-segment_format_options")).toBe("flush_packets=1");
    expect(args).toContain("/data/ring/front/20261126T142233123-%06d.ts");
    expect(optionValue(args, "-g")).toBe(String(15 * 2));
  });

  it("live preview: a second low-rate, low-resolution MJPEG output rewritten atomically; none for rtsp by default", () => {
    const args = captureArgs(camera({ input: { type: "test" } }), run);
    const segmentOut = args.indexOf("/data/ring/front/20261126T142233123-%06d.ts");
    const preview = args.slice(segmentOut + 1);
    expect(preview.join(" ")).toBe(
      "-map 0:v:0 -vf fps=2,scale=320:-2,format=yuvj420p -c:v mjpeg -q:v 6 -f image2 -update 1 -atomic_writing 1 /data/ring/front/preview.jpg",
    );
    expect(args).toContain("-y"); // a restarted ffmpeg replaces the previous run's picture
    const rtsp = captureArgs(camera({ input: { type: "rtsp", url: "rtsp://cam/stream1" } }), run);
    expect(rtsp).not.toContain("mjpeg");
    expect(rtsp).not.toContain("-y");
    const off = captureArgs(camera({ input: { type: "test" }, preview: { enabled: false } }), run);
    expect(off).not.toContain("mjpeg");
  });

  it("burned clock: the run start plus frame time as a bar code in the segments and the preview", () => {
    const args = captureArgs(camera({ input: { type: "test", burnClock: true } }), run);
    const epoch = Date.UTC(2026, 10, 26, 14, 22, 33, 123);
    const filters = args.filter((_, i) => args[i - 1] === "-vf");
    expect(filters).toHaveLength(2);
    for (const f of filters) expect(f).toContain(`mod(floor((${epoch}+t*1000)/10),1048576)`);
  });

  it("without audio there is no tone input and no audio map", () => {
    const args = captureArgs(camera({ input: { type: "test" }, audio: { enabled: false } }), run);
    expect(args.join(" ")).not.toContain("sine=");
    expect(args).not.toContain("-c:a");
  });

  it("rtsp: TCP, socket timeout, stream copy (never re-encoded)", () => {
    const args = captureArgs(camera({ input: { type: "rtsp", url: "rtsp://u:p@10.0.0.5/stream1" } }), run);
    expect(optionValue(args, "-rtsp_transport")).toBe("tcp");
    expect(optionValue(args, "-timeout")).toBe("5000000");
    expect(optionValue(args, "-i")).toBe("rtsp://u:p@10.0.0.5/stream1");
    expect(optionValue(args, "-c")).toBe("copy");
    expect(args).not.toContain("-c:v");
    expect(args).toContain("0:a:0?");
  });

  it("v4l2 with a hardware encoder and an ALSA microphone", () => {
    const args = captureArgs(
      camera({
        input: {
          type: "v4l2",
          device: "/dev/video2",
          inputFormat: "mjpeg",
          encoder: "h264_v4l2m2m",
          audioDevice: "hw:1,0",
        },
        video: { width: 1280, height: 720, fps: 30, bitrateKbps: 2500 },
      }),
      run,
    );
    expect(args.join(" ")).toContain(
      "-f v4l2 -input_format mjpeg -video_size 1280x720 -framerate 30 -i /dev/video2",
    );
    expect(args.join(" ")).toContain("-f alsa -i hw:1,0");
    expect(optionValue(args, "-c:v")).toBe("h264_v4l2m2m");
    expect(args).not.toContain("-preset");
    expect(optionValue(args, "-b:v")).toBe("2500k");
    expect(optionValue(args, "-g")).toBe("30");
  });

  it("run ids are UTC timestamps that name segments the ring recognises", () => {
    const id = runIdFor(Date.UTC(2026, 10, 26, 14, 22, 33, 123));
    expect(id).toBe("20261126T142233123");
    expect(SEGMENT_PATTERN.test(`${id}-000042.ts`)).toBe(true);
  });
});
