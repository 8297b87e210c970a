/**
 * The report's only CSS. Colours are variables so the dark scheme is a second palette, not a
 * second stylesheet; status colours follow the usual CI reading (green pass, red fail, orange
 * error, amber flaky) and hop colours stay the same in the timeline, the tables and the legend.
 */
export const STYLES = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1f2328;--muted:#656d76;--line:#d8dee4;--band:#f6f8fa;--grid:#e6e9ed;
--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--error:#bc4c00;--error-bg:#fff1e5;--flaky:#9a6700;--flaky-bg:#fff8c5;--skip:#6e7781;--skip-bg:#eaeef2;
--bar-pass:#2da44e;--bar-fail:#e5534b;--bar-error:#f0883e;--bar-skipped:#afb8c1;
--h-preflight:#6e7781;--h-inject:#d1242f;--h-fire:#d4a72c;--h-notify:#8250df;--h-log:#0969da;--h-rollback:#1a7f37;--h-resolve:#1b7c83;--h-other:#6e7781;
--ph-resolve:#54aeff;--ph-connect:#0969da;--ph-tls:#8250df;--ph-processing:#d4a72c;--ph-transfer:#2da44e;
--good:#0cce6b;--ni:#ffa400;--poor:#ff4e42}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--ink:#e6edf3;--muted:#8d96a0;--line:#30363d;--band:#1c222b;--grid:#262c36;
--pass-bg:#12361f;--fail-bg:#3d1418;--error-bg:#3d2410;--flaky-bg:#3a2f0b;--skip-bg:#262c36;--pass:#3fb950;--fail:#f85149;--error:#f0883e;--flaky:#d29922}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
a{color:var(--ph-connect)}
.muted{color:var(--muted)}.small{font-size:12px}.good{color:var(--pass)}.bad{color:var(--fail)}
.verdict{color:#fff;padding:26px max(20px,calc((100vw - 1140px)/2)) 18px}
.vd-failed{background:linear-gradient(135deg,#a40e26,#cf222e 60%,#e5534b)}
.vd-passed{background:linear-gradient(135deg,#116329,#1a7f37 60%,#2da44e)}
.vd-top{display:flex;align-items:baseline;gap:18px;flex-wrap:wrap}
.vd-word{font-size:34px;font-weight:800;letter-spacing:.04em}
.vd-line{font-size:20px;font-weight:500;opacity:.95}
.vd-meta{margin-top:4px;opacity:.85;font-size:13px;white-space:pre-wrap}
.chips{display:flex;gap:8px;margin-top:16px;flex-wrap:wrap}
.chip{border:0;border-radius:999px;padding:5px 14px;background:rgba(255,255,255,.18);color:#fff;font:inherit;cursor:pointer}
.chip b{font-size:15px;margin-right:2px}.chip.zero{opacity:.55}
.chip.active{background:#fff;color:var(--ink)}
.overview{width:100%;border-collapse:collapse;background:var(--card);border-radius:10px;overflow:hidden;margin:20px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.overview td{padding:9px 12px;border-top:1px solid var(--line);vertical-align:top}
.overview tr:first-child td{border-top:0}
.overview .st{width:150px;white-space:nowrap}.overview .kind{color:var(--muted);width:80px}
.overview .name a{font-weight:600;color:var(--ink);text-decoration:none}
.overview .name a:hover{text-decoration:underline}
.why{color:var(--fail);font-size:12.5px;margin-top:2px}
tr.st-pass .why{color:var(--flaky)}tr.st-skipped .why{color:var(--muted)}
.ov-bar{width:140px;padding-top:15px!important}.ov-dur{width:80px;text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.mini{width:120px;height:6px;background:var(--band);border-radius:3px;overflow:hidden}
.mini i{display:block;height:100%;border-radius:3px}
.mini .st-pass{background:var(--bar-pass)}.mini .st-fail{background:var(--bar-fail)}.mini .st-error{background:var(--bar-error)}.mini .st-skipped{background:var(--bar-skipped)}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap}
.pill.st-pass{background:var(--pass-bg);color:var(--pass)}.pill.st-fail{background:var(--fail-bg);color:var(--fail)}
.pill.st-error{background:var(--error-bg);color:var(--error)}.pill.st-skipped{background:var(--skip-bg);color:var(--skip)}
.pill.flaky{background:var(--flaky-bg);color:var(--flaky)}
.tag{display:inline-block;background:var(--band);border:1px solid var(--line);border-radius:4px;padding:0 6px;font-size:11.5px;color:var(--muted)}
.card{background:var(--card);border-radius:10px;margin:16px 0;box-shadow:0 1px 3px rgba(0,0,0,.08);border-left:5px solid var(--bar-pass)}
.card.st-fail{border-left-color:var(--bar-fail)}.card.st-error{border-left-color:var(--bar-error)}
.card.st-skipped{border-left-color:var(--bar-skipped)}.card.is-flaky{border-left-color:var(--h-fire)}
.card>summary{display:flex;align-items:center;gap:10px;padding:14px 18px;cursor:pointer;list-style:none}
.card>summary::-webkit-details-marker{display:none}
.card>summary::before{content:"▸";color:var(--muted);transition:transform .15s}
.card[open]>summary::before{transform:rotate(90deg)}
.card h2{font-size:17px;margin:0;font-weight:650}
.card .kind{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.06em}
.card .meta{color:var(--muted);font-size:12.5px}
.card .dur{margin-left:auto;font-weight:600;font-variant-numeric:tabular-nums}
.card-body{padding:0 18px 16px 23px;min-width:0;overflow-wrap:anywhere}
.card-body section{margin-top:14px}
.card-body h3{font-size:12px;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);margin:0 0 8px;font-weight:650}
.diagnosis{margin:0 0 10px;padding:10px 14px;border-left:4px solid var(--fail);background:var(--fail-bg);border-radius:6px;font-weight:600}
.errbox{background:var(--fail-bg);border:1px solid color-mix(in srgb,var(--fail) 35%,transparent);border-radius:8px;padding:10px 14px}
.card.st-error .diagnosis{margin:0 0 10px;padding:10px 14px;border-left:4px solid var(--fail);background:var(--fail-bg);border-radius:6px;font-weight:600}
.errbox{background:var(--error-bg);border-color:color-mix(in srgb,var(--error) 35%,transparent)}
.card.st-skipped .errbox,.card.st-pass .diagnosis{margin:0 0 10px;padding:10px 14px;border-left:4px solid var(--fail);background:var(--fail-bg);border-radius:6px;font-weight:600}
.errbox{background:var(--band);border-color:var(--line)}
.errbox pre{margin:6px 0 0;white-space:pre-wrap;word-break:break-word;color:var(--ink)}
.errbox summary{cursor:pointer;color:var(--muted);font-size:12px;margin-top:6px}
.err-head{font-size:12.5px;color:var(--muted)}
.wf{--tick:10%}
.wf-row,.ph-row{display:grid;grid-template-columns:minmax(150px,28%) 1fr 70px;gap:12px;align-items:center;min-height:28px}
.wf-name{overflow:hidden}
.wf-name .nm{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;display:inline-block;max-width:calc(100% - 16px);vertical-align:middle}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:7px;vertical-align:middle}
.wf-row.st-pass .dot{background:var(--bar-pass)}.wf-row.st-fail .dot{background:var(--bar-fail)}.wf-row.st-error .dot{background:var(--bar-error)}.wf-row.st-skipped .dot{background:var(--bar-skipped)}
.wf-err{color:var(--fail);font-size:12px;margin-left:15px}
.wf-track{position:relative;height:20px;background:repeating-linear-gradient(90deg,var(--grid) 0 1px,transparent 1px var(--tick));border-right:1px solid var(--grid)}
.wf-bar{position:absolute;top:3px;height:14px;border-radius:3px;background:var(--bar-pass);min-width:2px}
.wf-row.st-fail .wf-bar{background:var(--bar-fail)}.wf-row.st-error .wf-bar{background:var(--bar-error)}.wf-row.st-skipped .wf-bar{background:var(--bar-skipped)}
.wf-dur{text-align:right;font-variant-numeric:tabular-nums;color:var(--muted);font-size:12.5px}
.wf-row.st-fail .wf-dur,.wf-row.st-error .wf-dur{color:var(--fail);font-weight:600}
.wf-axis{min-height:18px}
.wf-ticks{position:relative;height:16px;font-size:11px;color:var(--muted)}
.wf-ticks span{position:absolute;transform:translateX(-50%)}
.wf-ticks span[style^="right"]{transform:none}
.ph-bar{display:flex;height:20px;border-radius:3px;overflow:hidden}
.ph{height:100%;display:flex;align-items:center;justify-content:center;color:#fff;font-size:11px;overflow:hidden;white-space:nowrap;border-right:1px solid var(--card)}
.ph-name{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.ph-note{font-size:11.5px;color:var(--muted)}
.ph-resolve{background:var(--ph-resolve)}.ph-connect{background:var(--ph-connect)}.ph-tls{background:var(--ph-tls)}
.ph-processing{background:var(--ph-processing)}.ph-transfer{background:var(--ph-transfer)}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;color:var(--muted);margin-top:8px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-2px}
.vitals{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px}
.vital{border:1px solid var(--line);border-radius:8px;padding:10px 12px;border-top:4px solid var(--good)}
.vital.v-needs-improvement{border-top-color:var(--ni)}.vital.v-poor{border-top-color:var(--poor)}
.v-name{font-size:12px;color:var(--muted)}.v-name b{color:var(--ink)}
.v-value{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
.v-rating{font-size:12px;font-weight:600;color:#0a8f4a}
.v-needs-improvement .v-rating{color:#b36b00}.v-poor .v-rating{color:#d93025}
.gauge{position:relative;display:flex;height:6px;border-radius:3px;overflow:visible;margin-top:8px}
.gauge i{height:100%}.g-good{background:var(--good)}.g-ni{background:var(--ni)}.g-poor{background:var(--poor);flex:1}
.gauge b{position:absolute;top:-4px;width:3px;height:14px;background:var(--ink);border-radius:1px;transform:translateX(-1px)}
.shots{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,480px),1fr));gap:12px}
.shot{margin:0;border:1px solid var(--line);border-radius:8px;overflow:hidden;background:var(--band)}
.shot img{display:block;width:100%;cursor:zoom-in}
.shot figcaption{padding:6px 10px;font-size:12px;color:var(--muted)}
.shot.zoom{position:fixed;inset:20px;z-index:10;display:flex;flex-direction:column;box-shadow:0 10px 40px rgba(0,0,0,.5)}
.shot.zoom img{object-fit:contain;flex:1;min-height:0;cursor:zoom-out}
.artifacts{margin:6px 0 0;padding-left:18px}
.metrics{display:flex;gap:8px;flex-wrap:wrap}
.metric{border:1px solid var(--line);border-radius:6px;padding:2px 8px;font-size:12.5px}
.metric span{color:var(--muted);margin-right:6px}
.timeline{width:100%;height:auto;display:block;font-size:12px}
.timeline .lane{fill:var(--card)}.timeline .lane.odd{fill:var(--band)}
.timeline .grid{stroke:var(--grid)}
.timeline .tick{fill:var(--muted);font-size:11px}
.timeline .fault{fill:var(--h-inject);opacity:.08}
.timeline .fault-label{fill:var(--h-inject);font-size:11px;opacity:.8}
.timeline .lane-label{font-weight:650;font-size:13px}
.timeline .lane-verdict{font-size:14px;font-weight:700}
.timeline .lane-verdict.good{fill:var(--pass)}.timeline .lane-verdict.bad{fill:var(--fail)}
.timeline .ev circle{stroke:var(--card);stroke-width:2}
.timeline .ev-label{fill:var(--ink);font-size:11.5px}
.timeline .hop-label{fill:var(--muted);font-size:11px}
.timeline .hop-bar{opacity:.35}
.timeline .cond.ok path{fill:var(--pass);stroke:var(--card);stroke-width:1.5}
.timeline .cond.bad line{stroke:var(--fail);stroke-width:2;stroke-dasharray:6 4}
.timeline .cond.bad text{fill:var(--fail);font-size:15px;font-weight:700}
.timeline .cond-label{fill:var(--fail);font-size:11.5px;font-weight:600}
.timeline .hop-label.over{fill:var(--flaky);font-weight:600}
.timeline .cond.elsewhere circle{fill:var(--card);stroke:var(--fail);stroke-width:2.5}
${['preflight', 'inject', 'fire', 'notify', 'log', 'rollback', 'resolve', 'other']
  .map(
    (h) =>
      `.l-${h}.lane-label,.timeline .l-${h} circle,.timeline .l-${h} .hop-bar{fill:var(--h-${h})}.hop-name.l-${h}{color:var(--h-${h})}.hc.l-${h} .hc-measured{background:var(--h-${h})}`,
  )
  .join('\n')}
.tl-legend i.lg-fault{background:var(--h-inject);opacity:.15}.tl-legend i.lg-ev{background:var(--h-log);border-radius:50%}
.tl-legend i.lg-bar{background:var(--h-fire);opacity:.4}.tl-legend i.lg-expected,.hatch-key{background:repeating-linear-gradient(45deg,var(--muted) 0 2px,transparent 2px 5px)}
.tl-legend i.lg-ok{background:var(--pass);transform:rotate(45deg) scale(.8)}.tl-legend i.lg-bad{height:0;border-top:2px dashed var(--fail);border-radius:0}
.hatch-key{display:inline-block;width:12px;height:10px;vertical-align:-1px}
.grid-table{border-collapse:collapse;width:100%}
.grid-table th{text-align:left;font-weight:600;font-size:12px;color:var(--muted);border-bottom:1px solid var(--line);padding:4px 10px}
.grid-table td{padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
.grid-table .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.conditions{table-layout:fixed}
.conditions .c-st{width:76px}.conditions .c-what{width:44%}.conditions .c-when{width:132px}
.conditions td{overflow-wrap:anywhere}
.conditions .when{white-space:normal}
.conditions th.when{overflow-wrap:normal}
.cond-what{font-weight:600}
.conditions .seen{font-size:12.5px}
.over-note{color:var(--flaky);font-size:12px;font-weight:600;margin-top:2px}
.over-mark{color:var(--flaky);font-weight:700}
.hc .hc-over{background:repeating-linear-gradient(45deg,var(--fail) 0 2px,transparent 2px 5px);opacity:.8}
.thresholds{table-layout:fixed}.thresholds .t-st{width:76px}.thresholds .t-val{width:150px}.thresholds .t-n{width:100px}
.thresholds td{overflow-wrap:anywhere}
.attempts td{overflow-wrap:anywhere}.attempts .a-n{width:90px}.attempts .a-st{width:90px}.attempts .a-dur{width:90px}
.wf-row.setup .dot{background:var(--skip)}
.wf-row.setup .wf-bar{background:repeating-linear-gradient(45deg,var(--bar-skipped) 0 3px,var(--band) 3px 6px);border:1px solid var(--bar-skipped)}
.wf-row.setup .nm{color:var(--muted);font-style:italic}
.hop-name{font-weight:650}
.hop-cmp{width:34%}
.hc{position:relative;height:12px;background:var(--band);border-radius:3px}
.hc i{position:absolute;left:0;top:0;height:100%;border-radius:3px}
.hc .hc-measured{opacity:.55}
.hc .hc-expected{background:repeating-linear-gradient(45deg,var(--ink) 0 2px,transparent 2px 5px);opacity:.45}
.hc .hc-max{width:2px;top:-2px;height:16px;margin-left:-1px;border-radius:0;background:var(--ink);opacity:.7}
.max-key{display:inline-block;width:2px;height:12px;vertical-align:-2px;background:var(--ink);opacity:.7}
.rollback{margin:0;font-weight:600}
.empty{padding:30px;text-align:center;color:var(--muted)}
footer{text-align:center;color:var(--muted);font-size:12px;padding:10px 0 30px}
body[data-filter="pass"] :is(.card,.overview tr):not(.st-pass),
body[data-filter="fail"] :is(.card,.overview tr):not(.st-fail),
body[data-filter="error"] :is(.card,.overview tr):not(.st-error),
body[data-filter="skipped"] :is(.card,.overview tr):not(.st-skipped),
body[data-filter="flaky"] :is(.card,.overview tr):not(.is-flaky){display:none}
@media print{.chips{display:none}.card{break-inside:avoid}}
`;

/** Filters by status, and a click-to-zoom for screenshots. Hashed into the page's CSP. */
export const SCRIPT = `
document.querySelectorAll('button[data-filter]').forEach(function (b) {
  b.addEventListener('click', function () {
    var f = b.getAttribute('data-filter');
    var same = document.body.getAttribute('data-filter') === f;
    document.body.setAttribute('data-filter', same ? 'all' : f);
    document.querySelectorAll('button.active').forEach(function (x) { x.classList.remove('active'); });
    if (!same && f !== 'all') b.classList.add('active');
    if (!same) document.querySelectorAll('details.card').forEach(function (d) { d.open = true; });
  });
});
document.querySelectorAll('.shot img').forEach(function (img) {
  img.addEventListener('click', function () { img.parentElement.classList.toggle('zoom'); });
});
`;
