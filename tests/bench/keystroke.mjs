// keystroke.mjs -- see keystroke.sh.
//   node keystroke.mjs BASE_URL QUERIES_FILE
import { readFileSync } from 'node:fs';
import { launch } from '../browser/lib.mjs';

const [BASE, FILE] = process.argv.slice(2);
const queries = readFileSync(FILE, 'utf8').split('\n').map((q) => q.trim()).filter(Boolean);
const { context, close } = await launch();
const page = await context.newPage();
await page.goto(BASE + '/');
await page.waitForFunction(() => document.body.dataset.painted);
await page.evaluate(() => {
  window.addEventListener('keydown', () => { window.lastInput = performance.now(); }, true);
  new MutationObserver(() => {
    const q = document.body.dataset.paintedQ;
    requestAnimationFrame(() => { window.paint = { q, at: performance.now() }; });
  }).observe(document.body, { attributes: true, attributeFilter: ['data-painted'] });
});
const ms = [], api = [];
for (const q of queries) {
  await page.fill('#q', '');
  await page.waitForFunction(() => document.body.dataset.paintedQ === '');
  await page.locator('#q').pressSequentially(q, { delay: 60 });
  const want = q.trim();
  await page.waitForFunction((w) => window.paint && window.paint.q === w, want, { timeout: 10000 });
  ms.push(await page.evaluate(() => window.paint.at - window.lastInput));
  api.push(await page.evaluate(() => {
    const e = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/search'));
    performance.clearResourceTimings();
    return e.length ? [e[e.length - 1].duration, window.paint.at - e[e.length - 1].responseEnd, e[e.length - 1].startTime - window.lastInput] : [0, 0, 0];
  }));
}
await close();
const pct = (v, p) => v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)];
const line = (v) => { v.sort((a, b) => a - b);
  return `p50 ${pct(v, 0.5).toFixed(1)} ms, p95 ${pct(v, 0.95).toFixed(1)} ms, max ${v[v.length - 1].toFixed(1)} ms`; };
console.log(`keystroke to paint over ${ms.length} queries: ${line(ms)}`);
console.log(`  of which the last /api/search request (network + server): ${line(api.map((a) => a[0]))}`);
console.log(`  from its response to paint: ${line(api.map((a) => a[1]))}`);
console.log(`  from the keystroke to its start: ${line(api.map((a) => a[2]))}`);
