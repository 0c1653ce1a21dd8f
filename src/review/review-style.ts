/**
 * The review tab's stylesheet (inlined). Same dark, high-contrast look and 1024×768 touch layout as the
 * live page; touch targets of at least 48 px.
 */
export const REVIEW_STYLE = `
:root { color-scheme: dark; --bg: #05080c; --panel: #0e141b; --line: #243140; --text: #e4e9ee;
  --muted: #93a1b0; --ok: #3ddc84; --warn: #ffb020; --bad: #ff4d4d; --accent: #4da3ff; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--text);
  font: 16px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
body { display: flex; flex-direction: column; overflow: hidden; }
header { display: flex; align-items: center; gap: 12px; padding: 6px 12px; height: 56px;
  border-bottom: 1px solid var(--line); background: var(--panel); }
header .title { font-weight: 700; font-size: 20px; flex: 1; }
a.tab, button, select, input { font: inherit; color: var(--text); background: #16202b; border: 1px solid var(--line);
  border-radius: 8px; min-height: 44px; padding: 6px 12px; }
a.tab { text-decoration: none; display: inline-flex; align-items: center; }
a.tab.current { border-color: var(--accent); color: var(--accent); }
button { cursor: pointer; font-weight: 700; } button:disabled { opacity: .4; }
button.primary { background: #123a66; border-color: var(--accent); }
input[type=checkbox] { min-height: 0; width: 24px; height: 24px; }
main { flex: 1; min-height: 0; padding: 8px 12px; display: flex; flex-direction: column; gap: 8px; }
.list-view, .player-view { display: contents; }
.hidden { display: none !important; }
.filters { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.filters label { color: var(--muted); font-size: 14px; }
.list { flex: 1; overflow-y: auto; border: 1px solid var(--line); border-radius: 8px; background: var(--panel); }
table { width: 100%; border-collapse: collapse; font-size: 15px; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 13px; text-transform: uppercase;
  position: sticky; top: 0; background: var(--panel); padding: 6px 8px; border-bottom: 1px solid var(--line); }
td { padding: 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
tr.event { cursor: pointer; height: 52px; } tr.event:hover { background: #132030; }
.tag { padding: 2px 8px; border-radius: 10px; font-size: 13px; font-weight: 700; border: 1px solid var(--line); }
.tag.ok { color: var(--ok); } .tag.warn { color: var(--warn); } .tag.bad { color: var(--bad); } .tag.rec { color: #ff6b6b; border-color: #ff6b6b; }
.pager { display: flex; gap: 8px; align-items: center; }
.pager .info { flex: 1; color: var(--muted); }
.live { display: flex; gap: 8px; align-items: center; }
.player { display: grid; grid-template-columns: 1fr 300px; gap: 8px; flex: 1; min-height: 0; }
.videos { display: grid; gap: 4px; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); align-content: start; min-height: 0; }
.videos figure { margin: 0; position: relative; }
.videos video { width: 100%; max-height: 300px; background: #000; border-radius: 6px; display: block; }
.videos img.live-preview { width: 100%; max-height: 480px; object-fit: contain; background: #000; border-radius: 6px; display: block; }
.videos figcaption { position: absolute; left: 6px; top: 4px; font-size: 13px; font-weight: 700; text-shadow: 0 0 3px #000; }
.side { display: flex; flex-direction: column; gap: 8px; min-height: 0; overflow-y: auto; }
.box { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
.box h2 { margin: 0 0 4px; font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; }
.telemetry { font: 13px/1.3 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; min-height: 40px; }
.controls { display: flex; gap: 8px; align-items: center; }
.controls .time { font-variant-numeric: tabular-nums; color: var(--muted); flex: 1; }
svg.timeline { width: 100%; height: 96px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; cursor: pointer; display: block; }
svg.map { width: 100%; height: 90px; background: #0a1118; border-radius: 6px; }
.form { display: grid; grid-template-columns: 90px 1fr; gap: 6px; align-items: center; font-size: 14px; }
.form input, .form select { min-height: 36px; width: 100%; padding: 4px 8px; }
.message { color: var(--warn); min-height: 20px; font-size: 14px; }
.legend { display: flex; gap: 10px; flex-wrap: wrap; font-size: 12px; color: var(--muted); }
`;
