// Run axe-core against local HTML pages in Debian's headless Chromium; print one JSON report.
//
//   node tests/axe/run-axe.mjs < spec.json > report.json
//
// spec:   {"pages": [{"name": "minister@1280", "url": "file:///…/x.html", "width": 1280, "height": 900}, …]}
// report: {"axeVersion", "browserVersion", "enabledExtra": [rule ids], "pages": [{name, url, width, height,
//          violations: [{id, impact, help, helpUrl, tags, nodes: [{target, html, failureSummary}]}],
//          incomplete: [ids], ran: [ids], notRun: [ids], blocked: [urls], overflow: {…}}]}
//
// Driver: playwright-core from npm (no browser download of its own, no dependencies, no install
// script; 14 MB) drives /usr/bin/chromium over the DevTools pipe. axe-core comes from npm anyway, so
// one `npm ci` with one lockfile brings both; Playwright's PyPI package would add ~165 MB (it bundles
// its own Node) plus greenlet for the same protocol client.
//
// Rules: axe's default run (every non-experimental, non-deprecated rule, i.e. WCAG 2.0/2.1/2.2 A and AA
// plus best-practice), plus any rule with those tags that axe ships disabled: in axe-core 4.14 that is
// `target-size` (WCAG 2.2 AA 2.5.8), which the default run would silently leave out.

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.BRIEFGEN_CHROMIUM || '/usr/bin/chromium';
const WANTED_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

// Root, no network: without these Chromium waits on sandbox, GPU and background connections.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--disable-extensions', '--no-default-browser-check'];

const spec = JSON.parse(readFileSync(0, 'utf8'));
const profile = mkdtempSync(join(tmpdir(), 'briefgen-axe-profile-'));   // a fresh --user-data-dir
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000,
    viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce', offline: false,
  });
  const browserVersion = context.browser()?.version() ?? null;
  const report = { axeVersion: null, browserVersion, enabledExtra: [], pages: [] };
  for (const p of spec.pages) {
    const page = await context.newPage();
    const blocked = [];
    // Pages must be self-contained: anything but file:/data:/blob: is refused (and reported), never fetched.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (/^(file|data|blob|about):/.test(url)) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.setViewportSize({ width: p.width, height: p.height ?? 900 });
    await page.goto(p.url, { waitUntil: 'load', timeout: 30_000 });
    await page.addScriptTag({ path: AXE_PATH });
    const result = await page.evaluate(async (wantedTags) => {
      const axe = window.axe;
      const wanted = new Set(wantedTags);
      const excluded = (r) => r.tags.includes('experimental') || r.tags.includes('deprecated');
      const extra = axe._audit.rules
        .filter((r) => !r.enabled && !excluded(r) && r.tags.some((t) => wanted.has(t)))
        .map((r) => r.id);
      const rules = Object.fromEntries(extra.map((id) => [id, { enabled: true }]));
      const res = await axe.run(document, { rules, resultTypes: ['violations'] });
      const ids = (list) => list.map((r) => r.id);
      const ran = new Set([...ids(res.violations), ...ids(res.passes), ...ids(res.incomplete),
        ...ids(res.inapplicable)]);
      const expected = axe._audit.rules.filter((r) => !excluded(r) && r.tags.some((t) => wanted.has(t)));
      // Reflow (WCAG 1.4.10) is not an axe rule: measure horizontal overflow of the page itself.
      const cssPath = (el) => {
        const parts = [];
        for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
          if (e.id) { parts.unshift(`#${CSS.escape(e.id)}`); break; }
          const cls = [...e.classList].slice(0, 2).map((c) => `.${CSS.escape(c)}`).join('');
          const n = [...e.parentElement.children].indexOf(e) + 1;
          parts.unshift(`${e.localName}${cls}:nth-child(${n})`);
        }
        return parts.join(' > ');
      };
      const vw = document.documentElement.clientWidth;
      const wide = [];
      for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= vw + 1) continue;
        // An element inside its own horizontal scroller (e.g. a wide table in overflow-x:auto) is fine.
        let scroller = el.parentElement, contained = false;
        while (scroller && scroller !== document.body) {
          const ox = getComputedStyle(scroller).overflowX;
          if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') { contained = true; break; }
          scroller = scroller.parentElement;
        }
        if (contained) continue;
        if (el.parentElement && el.parentElement.getBoundingClientRect().right > vw + 1
            && el.parentElement !== document.body) continue;   // report the outermost offender only
        wide.push({ target: cssPath(el), right: Math.round(box.right),
          html: el.outerHTML.slice(0, 160) });
      }
      return {
        axeVersion: axe.version,
        enabledExtra: extra,
        violations: res.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
          nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
        })),
        incomplete: ids(res.incomplete),
        ran: [...ran].sort(),
        notRun: expected.map((r) => r.id).filter((id) => !ran.has(id)),
        overflow: { viewportWidth: vw, scrollWidth: document.documentElement.scrollWidth, wide },
      };
    }, WANTED_TAGS);
    report.axeVersion = result.axeVersion;
    report.enabledExtra = result.enabledExtra;
    delete result.axeVersion;
    delete result.enabledExtra;
    report.pages.push({ name: p.name, url: p.url, width: p.width, height: p.height ?? 900, blocked, ...result });
    await page.close();
  }
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
