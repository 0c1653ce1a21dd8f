/**
 * The status page's stylesheet (inlined; no external assets). Dark, high-contrast and dim enough for a
 * patrol car at night; sized for a 1024×768 touchscreen with touch targets of at least 64 px.
 */
export const PAGE_STYLE = `
:root {
  color-scheme: dark;
  --bg: #05080c; --panel: #0e141b; --line: #243140; --text: #e4e9ee; --muted: #93a1b0;
  --ok: #3ddc84; --warn: #ffb020; --bad: #ff4d4d; --rec: #e0262b; --accent: #4da3ff;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--text);
  font: 18px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
body { display: flex; flex-direction: column; overflow: hidden; user-select: none; -webkit-user-select: none; }
header { display: flex; align-items: center; gap: 16px; padding: 8px 16px; height: 52px;
  border-bottom: 1px solid var(--line); background: var(--panel); }
header .vehicle { font-weight: 700; font-size: 20px; flex: 1; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
header .clock { font-variant-numeric: tabular-nums; color: var(--muted); }
.link { padding: 4px 10px; border-radius: 12px; font-size: 15px; font-weight: 700; border: 1px solid var(--line); }
a.link { color: var(--accent); text-decoration: none; }
.link.live { color: var(--ok); } .link.lost { color: var(--bad); border-color: var(--bad); }
main { flex: 1; display: grid; grid-template-columns: 58% 42%; gap: 10px; padding: 10px; min-height: 0; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; min-height: 0; }
h2 { margin: 0 0 6px; font-size: 14px; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
.left, .right { display: flex; flex-direction: column; gap: 10px; min-height: 0; }
.state { display: flex; flex-direction: column; gap: 4px; border-width: 3px; }
.state .label { font-size: 44px; font-weight: 800; letter-spacing: .04em; display: flex; align-items: center; gap: 14px; }
.state .dot { width: 28px; height: 28px; border-radius: 50%; background: var(--muted); flex: none; }
.state.active { border-color: var(--rec); } .state.active .dot { background: var(--rec); animation: blink 1s steps(2) infinite; }
.state.active .label { color: #ff6b6b; }
.state.post-roll { border-color: var(--warn); } .state.post-roll .dot, .state.post-roll .label { color: var(--warn); }
.state.post-roll .dot { background: var(--warn); }
.state.unknown .label { color: var(--bad); }
@keyframes blink { 50% { opacity: .25; } }
.elapsed { font-size: 56px; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.1; }
.reason, .event-id { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.buttons { display: grid; grid-template-columns: 1.4fr 1fr 1fr; gap: 10px; }
button { min-height: 84px; border-radius: 12px; border: 2px solid var(--line); background: #18222d; color: var(--text);
  font-family: inherit; font-size: 28px; font-weight: 800; line-height: 1; letter-spacing: .06em;
  touch-action: manipulation; cursor: pointer; }
button:active { transform: scale(.98); }
button:disabled { opacity: .35; cursor: default; }
#btn-start { background: #4a0d10; border-color: var(--rec); color: #ffd6d6; }
#btn-mark { border-color: var(--accent); color: #cfe5ff; }
#btn-stop { border-color: var(--warn); color: #ffe3b0; }
#btn-stop.confirm { background: #5a3b00; }
.message { min-height: 26px; color: var(--muted); }
.message.error { color: var(--bad); font-weight: 700; }
ul { list-style: none; margin: 0; padding: 0; }
li.row { display: flex; align-items: center; gap: 10px; padding: 6px 0; border-top: 1px solid var(--line); }
li.row:first-child { border-top: 0; }
.row .name { flex: 1 1 auto; min-width: 4.5em; font-weight: 700; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.row .sub { display: block; font-size: 14px; font-weight: 400; color: var(--muted); overflow: hidden; text-overflow: ellipsis; }
.tag { font-size: 14px; font-weight: 800; padding: 3px 8px; border-radius: 6px; border: 1px solid var(--line); color: var(--muted); white-space: nowrap; }
.tag.ok { color: var(--ok); border-color: var(--ok); } .tag.warn { color: var(--warn); border-color: var(--warn); }
.tag.bad { color: #fff; background: #7a1114; border-color: var(--bad); } .tag.rec { color: #fff; background: var(--rec); border-color: var(--rec); }
.empty { color: var(--muted); font-style: italic; padding: 4px 0; }
.scroll { overflow-y: auto; flex: 1; min-height: 0; }
.grow { flex: 1; display: flex; flex-direction: column; min-height: 0; }
.alerts li.critical { color: #ffb3b3; } .alerts li.warning { color: #ffd58a; }
.recent li, .alerts li { font-size: 15px; padding: 4px 0; border-top: 1px solid var(--line); }
.recent time, .alerts time { color: var(--muted); font-variant-numeric: tabular-nums; margin-right: 8px; }
.kv { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 4px 12px; align-items: center; }
.kv .value { display: flex; align-items: center; gap: 8px; min-width: 0; }
.kv .detail { flex: 1; min-width: 0; color: var(--muted); font-size: 15px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
`;
