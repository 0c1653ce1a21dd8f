/** The station pages' one stylesheet (inlined; dark, dense, readable on a 1280×800 screen). */
export const WEB_STYLE = `
:root { color-scheme: dark; --bg:#11151a; --panel:#1a2028; --line:#2b3440; --text:#e4e8ee; --dim:#8d99a8;
  --accent:#4da3ff; --rec:#e5484d; --ok:#3fb950; --warn:#d29922; font: 14px/1.4 system-ui, sans-serif; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { display:flex; align-items:center; gap:18px; padding:8px 16px; background:var(--panel); border-bottom:1px solid var(--line); }
header.top .brand { font-weight:700; letter-spacing:.04em; }
header.top nav { display:flex; gap:14px; flex:1; }
header.top nav a.current { color:var(--text); font-weight:600; }
header.top .user { color:var(--dim); }
main { padding:14px 16px; }
h1 { font-size:18px; margin:0 0 10px; } h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0 0 6px; }
button, input, select { font:inherit; color:var(--text); background:#0d1116; border:1px solid var(--line); border-radius:4px; padding:5px 8px; }
button { cursor:pointer; background:#243041; } button:hover { background:#2d3c52; } button:disabled { opacity:.45; cursor:default; }
button.primary { background:#1f6feb; border-color:#1f6feb; }
.panel { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
.message { color:var(--warn); min-height:1.4em; }
.dim { color:var(--dim); } .mono { font-family: ui-monospace, monospace; font-size:12px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--dim); font-weight:600; font-size:12px; }
tbody tr:hover { background:#1d2530; }
.tag { display:inline-block; padding:0 6px; border-radius:3px; font-size:12px; background:#2b3440; margin-right:4px; }
.tag.rec { background:var(--rec); color:#fff; } .tag.ok { background:#1f4d2b; } .tag.warn { background:#5c4813; } .tag.off { background:#3a2226; }
/* sign-in */
.signin { max-width:340px; margin:12vh auto; display:grid; gap:10px; }
.signin label { display:grid; gap:4px; color:var(--dim); }
/* search */
form.filters { display:grid; grid-template-columns: repeat(5, 1fr); gap:8px 10px; margin-bottom:12px; align-items:end; }
form.filters label { display:grid; gap:3px; color:var(--dim); font-size:12px; }
form.filters .wide { grid-column: span 2; }
form.filters .actions { display:flex; gap:8px; }
.pager { display:flex; gap:10px; align-items:center; margin-top:10px; }
/* incident */
.incident-head { display:flex; gap:16px; align-items:baseline; flex-wrap:wrap; margin-bottom:6px; }
.incident-head h1 { margin:0; }
.angles { display:grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap:8px; }
.angle { position:relative; background:#000; border:1px solid var(--line); border-radius:4px; overflow:hidden; }
.angle video { width:100%; aspect-ratio:16/9; max-height:31vh; display:block; background:#000; object-fit:contain; }
.angle .label { position:absolute; left:6px; top:6px; background:rgba(0,0,0,.65); padding:1px 6px; border-radius:3px; font-size:12px; }
.angle .label .link-time { color:var(--warn); }
.angle .idle { position:absolute; inset:0; display:none; align-items:center; justify-content:center; color:var(--dim); background:rgba(0,0,0,.7); }
.angle.outside .idle { display:flex; }
.transport { display:flex; gap:10px; align-items:center; margin:8px 0; }
.transport input[type=range] { flex:1; }
.transport .clock { font-family: ui-monospace, monospace; min-width:190px; }
.lower { display:grid; grid-template-columns: 1fr 1fr; gap:8px; }
svg.strip { height:90px; cursor:pointer; } svg.map { max-height:230px; } h2.gap { margin-top:10px; }
svg { display:block; width:100%; background:#0d1116; border-radius:4px; }
svg text { fill:var(--dim); font-size:10px; font-family: ui-monospace, monospace; }
.timeline { max-height:120px; overflow:auto; margin:0; padding:0; list-style:none; }
.timeline li { padding:3px 4px; border-bottom:1px solid var(--line); cursor:pointer; }
.timeline li:hover { background:#1d2530; }
.timeline li.past { color:var(--dim); }
/* the export-signing key: the foot of every signed-in page, and /station-key */
code, pre { font-family: ui-monospace, monospace; font-size:12px; }
footer.key { padding:6px 16px 12px; color:var(--dim); font-size:12px; }
footer.key code { color:var(--text); word-break:break-all; }
.signing-key { max-width:900px; } .signing-key h2 { margin-top:12px; }
.signing-key pre { white-space:pre-wrap; word-break:break-all; background:#0d1116; padding:8px; border-radius:4px; margin:0; }
`;
