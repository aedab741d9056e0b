// screens.mjs -- the page's states as PNGs (docs/screens/), for the README
// and reviews.  Run by screens.sh against the sample corpus.
//   node screens.mjs BASE_URL OUT_DIR
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './lib.mjs';

const [BASE, OUT] = process.argv.slice(2);
mkdirSync(OUT, { recursive: true });
const painted = (page) => page.waitForFunction(() =>
  document.body.dataset.painted || document.getElementById('lecture-title'));

const shots = [
  ['search-desktop.png', 1280, 900, '/#/?q=racism%20in%20schools', null],
  ['search-mobile.png', 375, 812, '/#/?q=racism%20in%20schools', null],
  ['facet-language.png', 1280, 900, '/#/?q=equality&lang=fi', null],
  ['lecture-moments.png', 1280, 1100, '/#/lecture/nor-2023-006?q=social%20sustainability', null],
  ['lecture-mobile.png', 375, 812, '/#/lecture/dub-2022-012?q=discrimination', null],
  ['related-open.png', 1280, 900, '/#/?q=bystander', async (page) => {
    await page.locator('#results button.link').first().click();
    await page.waitForSelector('.related ol');
  }],
  ['error.png', 1280, 600, '/#/?q=%22racism', null],
];
const { context, close } = await launch();
const page = await context.newPage();
for (const [file, w, h, url, then] of shots) {
  await page.setViewportSize({ width: w, height: h });
  await page.goto(BASE + url);
  if (file === 'error.png') await page.waitForSelector('#status.error');
  else await painted(page);
  if (then) await then(page);
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(OUT, file) });
  console.log(join(OUT, file));
}
const fi = await launch({ locale: 'fi-FI' });
const p2 = await fi.context.newPage();
await p2.setViewportSize({ width: 1280, height: 900 });
await p2.goto(BASE + '/#/?q=hyvinvointi');
await painted(p2);
await p2.screenshot({ path: join(OUT, 'search-finnish.png') });
console.log(join(OUT, 'search-finnish.png'));
await fi.close();
await close();
