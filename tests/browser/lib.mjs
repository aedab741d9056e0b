// lib.mjs -- what the browser scripts share: playwright-core and axe-core
// from the folder setup.sh installed them into (LECTERN_NODE), and Debian's
// chromium launched headless with a fresh profile and nothing phoning home.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const nodeDir = process.env.LECTERN_NODE;
if (!nodeDir) throw new Error('LECTERN_NODE (the folder setup.sh filled) is not set');
const require = createRequire(join(resolve(nodeDir), 'node_modules', 'x.js'));
export const { chromium } = require('playwright-core');
export const axePath = require.resolve('axe-core/axe.min.js');

// A browser context of its own profile; close() removes the profile.
export async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'lectern-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    ...options,
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

// Serious and critical axe-core violations of the page as it is now.
export async function axeViolations(page) {
  await page.addScriptTag({ path: axePath });
  const r = await page.evaluate(async () => await window.axe.run(document, {
    resultTypes: ['violations'] }));
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.help + ' (' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ') + ')');
}
