// page.test.mjs -- the search page (server/page.html) in headless Chromium
// against lectern-server on the sample corpus: search as you type, facets
// with the URL and the back button, the pager, errors, the lecture view with
// moments and its timeline, related lectures, 375 px and 1280 px layouts,
// the keyboard path to the first result, the UI language, the fields of
// parallel work (did_you_mean, language, via), the Lecturers tab, the
// lecturer view, suggested topics in the lecture view and axe-core.
//   node page.test.mjs BASE_URL
import { launch, axeViolations } from './lib.mjs';

const BASE = process.argv[2];
let failures = 0, passed = 0;
function check(cond, what, detail) {
  if (cond) { passed++; return; }
  failures++;
  console.log('FAIL: ' + what + (detail !== undefined ? ': ' + JSON.stringify(detail) : ''));
}
async function step(name, fn) {
  try { await fn(); console.log('ok   ' + name); }
  catch (e) { failures++; console.log('FAIL: ' + name + ': ' + (e.stack || e)); }
}
const resultsCount = (page) => page.locator('#results > li').count();
// Results painted for query q (the page marks what it painted).
const waitResults = (page, q) => page.waitForFunction((want) =>
  document.querySelectorAll('#results > li').length > 0 &&
  document.body.dataset.paintedQ === want, q);

// A lecturer of the sample corpus, from the API, for the lecturer view's URLs.
const people = await (await fetch(BASE + '/api/lecturers?q=racism&limit=1')).json();
const PERSON = people.results[0].name;
const PERSON_URL = '/#/lecturer/' + encodeURIComponent(PERSON) + '?q=racism';
// The lecturer views are painted when their list or title is there.
async function waitPeopleViews(page, url) {
  if (url.startsWith('/#/lecturers')) await page.waitForSelector('#people > li');
  if (url === PERSON_URL) await page.waitForSelector('#lecturer-title');
}

const { context, close } = await launch();
const page = await context.newPage();
page.setDefaultTimeout(10000);
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));

await step('typing shows results without Enter', async () => {
  await page.goto(BASE + '/');
  await page.locator('#q').pressSequentially('racism', { delay: 40 });
  await waitResults(page, 'racism');
  check(await resultsCount(page) > 0, 'results after typing');
  check(page.url().includes('q=racism'), 'the URL holds the query', page.url());
  check(/\d+ lectures?/.test(await page.locator('#status').textContent()), 'the live region counts');
  check(await page.locator('#status').getAttribute('aria-live') === 'polite', 'status is a live region');
  const title = await page.locator('#results > li h3 mark').first().textContent();
  check(/racism/i.test(title || ''), 'the title is highlighted', title);
});

await step('a facet filters; the URL and back keep state', async () => {
  const chip = page.locator('#tags button').first();
  const tag = (await chip.evaluate((b) => b.firstChild.textContent)).trim();
  await chip.click();
  await page.waitForFunction((t) => decodeURIComponent(location.hash).includes('tags=' + t), tag);
  await page.waitForFunction(() => document.querySelector('#tags button[aria-pressed=true]'));
  const hitTags = await page.$$eval('#results > li', (lis) => lis.map((li) =>
    [...li.querySelectorAll('article > ul.chips button')].map((b) => b.textContent.trim())));
  check(hitTags.length > 0 && hitTags.every((ts) => ts.includes(tag)), 'every hit has the tag ' + tag, hitTags);
  await page.goBack();
  await page.waitForFunction(() => !location.hash.includes('tags='));
  await page.waitForFunction(() => !document.querySelector('#tags button[aria-pressed=true]'));
  check((await page.locator('#q').inputValue()) === 'racism', 'back keeps the query');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('#tags button[aria-pressed=true]'));
  passed++;
  await page.goBack();
});

await step('the language facet stays disjunctive', async () => {
  await page.goto(BASE + '/#/?q=equality');
  await waitResults(page, 'equality');
  const before = await page.locator('#lang option').count();
  const code = await page.locator('#lang option').nth(1).getAttribute('value');
  await page.selectOption('#lang', code);
  await page.waitForFunction((c) => location.hash.includes('lang=' + c), code);
  await page.waitForFunction((c) => {
    const bs = [...document.querySelectorAll('#results .badge')];
    return bs.length && bs.every((b) => b.textContent === c);
  }, code);
  check(await page.locator('#lang option').count() === before, 'every language keeps its option');
  const langs = await page.$$eval('#results .badge', (bs) => bs.map((b) => b.textContent));
  check(langs.length > 0 && langs.every((l) => l === code), 'hits in ' + code, langs);
  check(await page.locator('#lang').inputValue() === code, 'the select shows the choice');
});

await step('the pager shows only with more than one page', async () => {
  await page.goto(BASE + '/#/?q=Tigrinya');
  await waitResults(page, 'Tigrinya');
  check(await resultsCount(page) <= 10, 'one page');
  check(!(await page.locator('#pages').isVisible()), 'no pager for one page');
  await page.goto(BASE + '/#/');
  await waitResults(page, '');
  check(await page.locator('#pages').isVisible(), 'pager for every lecture');
});

await step('an error replaces the results', async () => {
  await page.goto(BASE + '/#/?q=racism');
  await waitResults(page, 'racism');
  await page.locator('#q').fill('"racism');
  await page.waitForFunction(() => document.querySelector('#status.error'));
  check(await resultsCount(page) === 0, 'no stale results under the error');
  check(!(await page.locator('#pages').isVisible()), 'no pager under the error');
});

await step('moments in the results', async () => {
  await page.goto(BASE + '/#/?q=social%20sustainability');
  await waitResults(page, 'social sustainability');
  const n = await page.locator('#results ul.moments li').count();
  check(n > 0, 'timed hits list their moments');
  const href = await page.locator('#results ul.moments a.time').first().getAttribute('href');
  check(/#t=\d+$/.test(href || ''), 'a moment plays from its second', href);
});

await step('the lecture view: moments, timeline, watch links, search inside', async () => {
  await page.goto(BASE + '/#/?q=social%20sustainability');
  await waitResults(page, 'social sustainability');
  await page.locator('#results h3 a', { hasText: 'Participation' }).first().click();
  await page.waitForSelector('#lecture-title');
  check(page.url().includes('#/lecture/nor-2023-006'), 'a shareable URL', page.url());
  check(await page.locator('#moments li').count() >= 2, 'moments listed');
  check((await page.locator('#moments li').first().textContent()).includes('sustainab'), 'moment text');
  const watch = await page.locator('#moments a.watch').first().getAttribute('href');
  check(/^https?:.*#t=\d+$/.test(watch || ''), 'watch from here', watch);
  check(await page.locator('#transcript li.hit').count() > 0, 'moments highlighted in the transcript');
  const bins = page.locator('#timeline button:not([disabled])');
  check(await bins.count() > 0, 'the timeline has bins with matches');
  const last = bins.last();
  const start = parseFloat(await last.getAttribute('data-start'));
  await last.click();
  const flash = page.locator('#transcript li.flash');
  await flash.waitFor();
  const row = parseFloat(await flash.getAttribute('data-start'));
  check(Math.abs(row - start) < 60, 'the timeline jumps to its time', { row, start });
  const inView = await flash.evaluate((r) => {
    const b = document.getElementById('transcript').getBoundingClientRect(), x = r.getBoundingClientRect();
    return x.top >= b.top - 1 && x.bottom <= b.bottom + 1;
  });
  check(inView, 'the row is scrolled into the transcript box');
  await page.fill('#inside-q', 'participation');
  await page.press('#inside-q', 'Enter');
  await page.waitForFunction(() => location.hash.includes('q=participation'));
  await page.waitForFunction(() => document.querySelectorAll('#moments li').length > 0);
  passed++;
});

await step('related lectures open', async () => {
  const link = page.locator('.lecture ol:last-of-type a').first();
  const title = (await link.textContent()).trim();
  await link.click();
  await page.waitForFunction((t) => document.getElementById('lecture-title') &&
    document.getElementById('lecture-title').textContent.includes(t), title);
  check(!page.url().includes('nor-2023-006'), 'another lecture', page.url());
  await page.goBack();
  await page.waitForFunction(() => location.hash.includes('nor-2023-006'));
  passed++;
});

await step('the Lecturers tab lists people for the query and opens a lecturer', async () => {
  await page.goto(BASE + '/#/?q=racism');
  await waitResults(page, 'racism');
  await page.locator('#tabs a', { hasText: 'Lecturers' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/lecturers') &&
    document.querySelectorAll('#people > li').length > 0 && document.body.dataset.paintedQ === 'racism');
  check(page.url().includes('#/lecturers?q=racism'), 'the tab keeps the query', page.url());
  check(await page.locator('#tabs a[aria-current=page]').textContent() === 'Lecturers', 'the tab is current');
  check(/\d+ lecturers?/.test(await page.locator('#status').textContent()), 'the live region counts people');
  const first = page.locator('#people > li').first();
  const name = (await first.locator('h3 a').textContent()).trim();
  check(name === PERSON, 'ranked as the API ranks', { name, PERSON });
  const talks = await first.locator('ol.talks a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  check(talks.length > 0 && talks.every((h) => /^#\/lecture\/[^?]+\?q=racism$/.test(h)), 'lectures link to the lecture view', talks);
  /* typing in the Lecturers view searches people */
  await page.locator('#q').fill('migration');
  await page.waitForFunction(() => location.hash === '#/lecturers?q=migration' &&
    document.body.dataset.paintedQ === 'migration' && document.querySelectorAll('#people > li').length > 0);
  passed++;
  await page.goto(BASE + '/#/lecturers?q=racism');
  await page.waitForFunction(() => document.body.dataset.paintedQ === 'racism' && location.hash.startsWith('#/lecturers'));
  await page.locator('#people > li').first().locator('h3 a').click();
  await page.waitForSelector('#lecturer-title');
  check((await page.locator('#lecturer-title').textContent()) === PERSON, 'the lecturer view names them');
  check(page.url().includes('#/lecturer/'), 'a shareable URL', page.url());
  check(await page.evaluate(() => document.activeElement.id) === 'lecturer-title', 'the view takes focus');
  const n = await page.locator('.lecturer ol.talks li').count();
  check(n >= talks.length, 'every lecture of theirs', { n, talks: talks.length });
  await page.locator('.lecturer ol.talks a').first().click();
  await page.waitForSelector('#lecture-title');
  check(page.url().includes('#/lecture/'), 'a lecture opens from the profile', page.url());
  await page.goBack();
  await page.waitForSelector('#lecturer-title');
  await page.locator('#back').click();
  await page.waitForFunction(() => location.hash === '#/lecturers?q=racism' &&
    document.querySelectorAll('#people > li').length > 0);
  passed++;
  await page.goto(BASE + '/#/lecturer/Nobody%20Here');
  await page.waitForSelector('#status.error');
  check((await page.locator('#status').textContent()).includes('No lecturer'), 'unknown lecturer message');
});

await step('suggested topics are marked as suggestions', async () => {
  const p2 = await context.newPage();
  await p2.route('**/api/lectures/nor-2023-006', async (route) => {
    const resp = await route.fetch();
    const body = await resp.json();
    body.suggested_tags = ['wellbeing'];
    await route.fulfill({ response: resp, json: body });
  });
  await p2.goto(BASE + '/#/lecture/nor-2023-006');
  await p2.waitForSelector('#suggested .chip.suggested');
  const sug = await p2.locator('#suggested .chip.suggested').first().textContent();
  check(sug.includes('wellbeing') && sug.includes('suggested'), 'the suggestion is marked', sug);
  check(await p2.locator('#suggested h3').textContent() === 'Suggested topics', 'under its own heading');
  const curated = await p2.locator('.facts dd').allTextContents();
  check(!curated.some((x) => x.includes('suggested')), 'curated topics stay apart', curated);
  await p2.close();
  /* without stored ones: the neighbours' votes for tags the lecture does not carry */
  const rec = await (await fetch(BASE + '/api/lectures/nor-2023-006')).json();
  await page.goto(BASE + '/#/lecture/nor-2023-006');
  await page.waitForSelector('#suggested .chip.suggested');
  const voted = await page.locator('#suggested .chip.suggested').evaluateAll((cs) => cs.map((c) => c.dataset.tag));
  check(voted.length > 0 && voted.every((x) => !rec.tags.includes(x)), 'suggestions are tags it does not carry',
        { voted, tags: rec.tags });
});

await step('an untimed lecture answers with passages', async () => {
  await page.goto(BASE + '/#/lecture/cph-2022-006?q=social%20sustainability');
  await page.waitForSelector('#lecture-title');
  check(await page.locator('#moments li').count() > 0, 'passages listed');
  check(await page.locator('#moments a.watch').count() === 0, 'no times');
});

await step('an unknown lecture says so', async () => {
  await page.goto(BASE + '/#/lecture/no-such-lecture');
  await page.waitForSelector('#status.error');
  check((await page.locator('#status').textContent()).includes('No lecture'), 'not found message');
});

for (const [w, h] of [[375, 812], [1280, 800]]) {
  await step(`layout at ${w}x${h}`, async () => {
    await page.setViewportSize({ width: w, height: h });
    for (const url of ['/#/?q=racism%20in%20schools', '/#/lecture/nor-2023-006?q=participation',
                       '/#/lecturers?q=racism', PERSON_URL]) {
      await page.goto(BASE + url);
      await page.waitForFunction(() => document.body.dataset.painted || document.getElementById('lecture-title') ||
        document.getElementById('lecturer-title'));
      await waitPeopleViews(page, url);
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(over <= 0, `no horizontal scroll at ${w}px on ${url}`, over);
    }
    await page.goto(BASE + '/#/?q=racism%20in%20schools');
    await waitResults(page, 'racism in schools');
    const box = await page.locator('#results > li').first().locator('h3').boundingBox();
    check(box && box.y + box.height <= h, `the first result is above the fold at ${w}x${h}`, box);
  });
}
await page.setViewportSize({ width: 1280, height: 800 });

await step('keyboard only: the first result in a few Tabs', async () => {
  await page.goto(BASE + '/#/?q=racism');
  await waitResults(page, 'racism');
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) === 'skip', 'the skip link comes first');
  let tabs = 1;
  const first = () => page.evaluate(() =>
    document.activeElement === document.querySelector('#results > li h3 a'));
  while (!(await first()) && tabs < 30) { await page.keyboard.press('Tab'); tabs++; }
  check(tabs <= 7, 'the first result within 7 Tabs', tabs);
  await page.reload();
  await waitResults(page, 'racism');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter'); /* the skip link */
  check(await first(), 'the skip link lands on the first result');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#lecture-title');
  check(await page.evaluate(() => document.activeElement.id) === 'lecture-title', 'the view takes focus');
});

await step('axe-core: no serious or critical violations', async () => {
  for (const url of ['/#/?q=racism', '/#/lecture/nor-2023-006?q=social%20sustainability',
                     '/#/lecturers?q=racism', PERSON_URL]) {
    await page.goto(BASE + url);
    await page.waitForFunction(() => document.body.dataset.painted || document.getElementById('lecture-title') ||
      document.getElementById('lecturer-title'));
    await waitPeopleViews(page, url);
    await page.waitForTimeout(100);
    const v = await axeViolations(page);
    check(v.length === 0, 'axe on ' + url, v);
  }
});

await step('did_you_mean, language badges and via are shown when the API sends them', async () => {
  const p2 = await context.newPage();
  await p2.route('**/api/search?**', async (route) => {
    const resp = await route.fetch();
    const body = await resp.json();
    body.did_you_mean = { query: 'racism', corrections: [{ from: 'rasism', to: 'racism' }] };
    if (body.results[0]) body.results[0].via = [{ from: 'tasa-arvo', to: 'equality', lang: 'fi' }];
    await route.fulfill({ response: resp, json: body });
  });
  await p2.goto(BASE + '/#/?q=rasism');
  await p2.waitForSelector('#dym-link');
  check((await p2.locator('#dym').textContent()).includes('Did you mean'), 'did you mean');
  check((await p2.locator('.via').first().textContent()).includes('tasa-arvo → equality'), 'via');
  await p2.unroute('**/api/search?**');
  await p2.click('#dym-link');
  await p2.waitForFunction(() => location.hash.includes('q=racism'));
  await p2.close();
  passed++;
});

await step('the UI follows the browser language', async () => {
  const fi = await launch({ locale: 'fi-FI' });
  const p3 = await fi.context.newPage();
  await p3.goto(BASE + '/');
  check(await p3.locator('#skip').textContent() === 'Siirry tuloksiin', 'Finnish skip link');
  check(await p3.locator('html').getAttribute('lang') === 'fi', 'html lang');
  await fi.close();
});

check(errors.length === 0, 'no script errors', errors);
await close();
console.log(`browser: ${passed} checks passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
