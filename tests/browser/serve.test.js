// The workspace (coursepack serve) in Debian's Chromium, driven by
// puppeteer-core (tests/serve_browser.sh runs it; make test installs
// puppeteer-core into build/node from tests/browser/package-lock.json).
//
//   node serve.test.js BASE WORKSPACE BIN PLAN_CSV BUILDDIR
//     BASE       the server's URL, http://127.0.0.1:PORT/
//     WORKSPACE  the scratch folder the server serves: examples/xiayang and
//                courses, copied (this test edits a lesson there)
//     BIN        the coursepack binary (verify runs on the bundle)
//     PLAN_CSV   `coursepack plan --csv` of the township: lesson hours
//     BUILDDIR   screenshots go to BUILDDIR/screenshots/serve-*.png
//
// It prints one line per check, "ok NAME" or "not ok NAME: why", and exits
// with the number of failures.  A step that throws fails its check and the
// next steps still run.  No request may leave 127.0.0.1: the browser has a
// dead proxy, and every other request is aborted and counted.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const puppeteer = require('puppeteer-core');

const [BASE, WS, BIN, PLAN_CSV, BUILDDIR] = process.argv.slice(2);
if (!BUILDDIR || !/^http:\/\/127\.0\.0\.1:\d+\/$/.test(BASE)) {
  console.error('usage: node serve.test.js http://127.0.0.1:PORT/ WORKSPACE BIN PLAN_CSV BUILDDIR');
  process.exit(99);
}
const TOWNSHIP = path.join(WS, 'examples', 'xiayang');
const VILLAGE = 'jili';
const SHOTS = path.join(BUILDDIR, 'screenshots');
const RECEIPT_MAKE = path.join(__dirname, '..', 'receipt_make.py');
const SIZES = [['desktop', 1366, 768], ['phone', 390, 844]];

let failures = 0;
function ok(name) { console.log('ok ' + name); }
function notOk(name, why) {
  failures++;
  console.log('not ok ' + name + ': ' + String(why).replace(/\s+/g, ' ').slice(0, 400));
}
function check(name, cond, why) { if (cond) ok(name); else notOk(name, why); }
// A step: its checks, or one failure naming it when it throws.
// A step that hangs fails after 150 s.
async function step(name, fn) {
  let timer;
  const limit = new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error('no end after 150 s')), 150000); });
  try { await Promise.race([fn(), limit]); } catch (e) { notOk(name, e && e.message ? e.message : e); }
  clearTimeout(timer);
}

// --- what the pages should show, read from the sources ------------------
function csvRows(text) {	// simple CSV: the plan and rosters quote nothing we use
  return text.replace(/^\ufeff/, '').split(/\r?\n/).filter(l => l !== '').map(l => l.split(','));
}
function planLessons(village) {
  const rows = csvRows(fs.readFileSync(PLAN_CSV, 'utf8'));
  const h = rows[0];
  const col = n => h.indexOf(n);
  return rows.slice(1).filter(r => r[col('village')] === village && r[col('row')] === 'lesson')
    .map(r => ({ id: r[col('lesson')], hours: parseFloat(r[col('lesson_hours')]), modes: r[col('modes')].split(' ') }));
}
function roster(village) {	// the example's rosters are GB18030, as Chinese Excel saves them
  const text = new TextDecoder('gb18030').decode(fs.readFileSync(path.join(TOWNSHIP, 'rosters', village + '.csv')));
  const rows = csvRows(text);
  const h = rows[0];
  const all = rows.slice(1).map(r => ({ key: r[h.indexOf('编号')], name: r[h.indexOf('姓名')], group: r[h.indexOf('类别')] }));
  const count = {};
  for (const m of all) count[m.name] = (count[m.name] || 0) + 1;
  for (const m of all) m.unique = count[m.name] === 1;
  return all;
}
function villageNames() {
  const tw = fs.readFileSync(path.join(TOWNSHIP, 'township.xml'), 'utf8');
  return [...tw.matchAll(/<village src="([^"]+)"/g)].map(m => {
    const x = fs.readFileSync(path.join(TOWNSHIP, m[1]), 'utf8');
    return { id: /<village id="([^"]+)"/.exec(x)[1], name: /<name>([^<]+)<\/name>/.exec(x)[1] };
  });
}
function receipt(name, lessons, badCode) {
  let text = execFileSync('python3', [RECEIPT_MAKE, 'xiayang-' + VILLAGE + '/xiayang-2022-2023', '霞阳镇', '吉利村',
    name, lessons, '2023-02-08', '2023-02-10'], { encoding: 'utf8' });
  if (badCode)	// one character of the code typed wrong
    text = text.replace(/校验码：(.)/, (m, c) => '校验码：' + (c === 'Z' ? 'Y' : 'Z'));
  return { text, code: /校验码：(\S+)/.exec(text)[1] };
}

// --- the browser ----------------------------------------------------------
let browser, page, viewer, shotNo = 0;
const outside = [];		// requests that would have left 127.0.0.1
const jsErrors = [];
const failed = [];		// responses of 400 and up (the browser's own /favicon.ico aside)

async function open(rel, p = page) {
  const r = await p.goto(new URL(rel, BASE).href, { waitUntil: 'load', timeout: 20000 });
  if (!r || r.status() !== 200)
    throw new Error('GET ' + rel + ': status ' + (r ? r.status() : 'none'));
  return r;
}
// Screenshots of the page as it is, office screen and phone.
async function shot(name) {
  shotNo++;
  // Headless Chromium paints only the tab in front: a screenshot of a tab
  // behind another waits for a frame that never comes.
  await page.bringToFront();
  for (const [label, w, h] of SIZES) {
    await page.setViewport({ width: w, height: h });
    await page.screenshot({ path: path.join(SHOTS, 'serve-' + String(shotNo).padStart(2, '0') + '-' + name + '-' + label + '.png') });
  }
  await page.setViewport({ width: SIZES[0][1], height: SIZES[0][2] });
}
// Submits by clicking and waits for the page the POST (and its 303) lands on.
async function clickAndWait(selector) {
  const [r] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: 60000 }),
    page.click(selector),
  ]);
  return r;
}
// member key -> hours on /village/VILLAGE, read in a tab of its own so
// that the page under test keeps its state.
async function hours() {
  await open('/village/' + VILLAGE, viewer);
  const h = await viewer.$$eval('#members tr[data-member]', rows => {
    const out = {};
    for (const r of rows) {
      const c = r.querySelector('.hours');
      const v = c ? parseFloat(c.textContent.replace(/[^0-9.\-]+/, ' ').trim()) : NaN;
      out[r.getAttribute('data-member')] = { hours: isNaN(v) ? 0 : v, text: r.textContent, cell: !!c };
    }
    return out;
  });
  await page.bringToFront();
  return h;
}
const near = (a, b) => Math.abs(a - b) < 0.05;

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const args = ['--proxy-server=127.0.0.1:9', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-default-apps', '--disable-extensions', '--no-first-run', '--disable-quic'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args,
    userDataDir: path.join(WS, 'chrome-profile'), defaultViewport: { width: 1366, height: 768 } });
  const tab = async () => {
    const p = await browser.newPage();
    await p.setRequestInterception(true);
    p.on('request', req => {
      const u = req.url();
      if (u.startsWith(BASE) || u.startsWith('data:') || u.startsWith('about:')) req.continue();
      else { outside.push(u); req.abort(); }
    });
    p.on('pageerror', e => jsErrors.push(p.url() + ': ' + e.message));
    // A resource that failed is counted below, by its URL and status.
    p.on('console', m => {
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) jsErrors.push(p.url() + ': console: ' + m.text());
    });
    p.on('response', r => {
      if (r.status() >= 400 && !/\/favicon\.ico$/.test(r.url())) failed.push(r.status() + ' ' + r.url());
    });
    return p;
  };
  page = await tab();
  viewer = await tab();

  const plan = planLessons(VILLAGE);
  const members = roster(VILLAGE);
  const villages = villageNames();

  await step('township page', async () => {
    await open('/');
    const rows = await page.$$eval('#villages tr', trs => trs.filter(t => t.querySelector('td')).map(t => t.textContent));
    const missing = villages.filter(v => !rows.some(r => r.includes(v.name)));
    check('township page: #villages has a row for each of the ' + villages.length + ' villages',
      rows.length >= villages.length && missing.length === 0,
      rows.length + ' rows; missing: ' + missing.map(v => v.name).join(' '));
    await shot('township');
  });

  await step('village page', async () => {
    const h = await hours();
    await open('/village/' + VILLAGE);
    const keys = Object.keys(h);
    check('village page: #members has a row per roster member of ' + VILLAGE + ' (' + members.length + ')',
      keys.length === members.length, keys.length + ' rows');
    check('village page: each member row has a .hours cell', keys.length > 0 && keys.every(k => h[k].cell),
      keys.filter(k => !h[k].cell).slice(0, 5).join(' '));
    const some = members.find(m => m.unique);
    check('village page: members are named as the roster has them (' + some.name + ')',
      keys.some(k => h[k].text.includes(some.name)), 'not found');
    await shot('village');
  });

  await step('lesson live preview', async () => {
    const lesson = plan[0].id;	// congress20/rejuvenation: the first lesson of the plan
    const [course, id] = lesson.split('/');
    const xml = fs.readFileSync(path.join(WS, 'courses', course, 'course.xml'), 'utf8');
    const src = new RegExp('<lesson id="' + id + '" src="([^"]+)"').exec(xml)[1];
    const md = path.join(WS, 'courses', course, src);
    await open('/lesson/' + lesson);
    const before = await page.$eval('#preview', e => e.textContent);
    check('lesson page: #preview shows the lesson', before.trim().length > 100, before.length + ' characters');
    await shot('lesson');
    // The page's script may read the first stamp after it loads: give it
    // a moment, so that the edit is a change it can see.
    await new Promise(r => setTimeout(r, 1500));
    await page.evaluate(() => { window.__notReloaded = true; });
    const marker = '浏览器测试改动' + Date.now();
    fs.appendFileSync(md, '\n\n' + marker + '\n');
    const t0 = Date.now();
    let seen = true;
    try {
      await page.waitForFunction(m => { const p = document.querySelector('#preview'); return p && p.textContent.includes(m); },
        { timeout: 5000, polling: 100 }, marker);
    } catch (e) { seen = false; }
    const same = await page.evaluate(() => window.__notReloaded === true).catch(() => false);
    check('lesson page: an edit of the Markdown on disk shows in #preview within 5 s, without a reload',
      seen && same, seen ? 'the page was reloaded' : 'not shown after 5 s');
    if (seen) console.log('# preview refreshed after ' + (Date.now() - t0) + ' ms');
    await shot('lesson-edited');
  });

  await step('attendance grid', async () => {
    await open('/attendance/' + VILLAGE);
    const values = await page.$$eval('input[type=checkbox][name=c]', cs => cs.map(c => c.value));
    const noCell = members.filter(m => !values.some(v => v.startsWith(m.key + '|')));
    const noLesson = plan.filter(l => !values.some(v => v.endsWith('|' + l.id)));
    check('attendance page: the grid has a row of checkboxes for each of the ' + members.length + ' members and a column for each of the ' + plan.length + ' lessons',
      noCell.length === 0 && noLesson.length === 0,
      values.length + ' checkboxes; members without: ' + noCell.map(m => m.key).slice(0, 5).join(' ') + '; lessons without: ' + noLesson.map(l => l.id).join(' '));
    const two = plan.filter(l => l.modes.includes('classroom')).slice(0, 2);
    const who = members.find(m => m.group === '在村' && m.unique && two.every(l => values.includes(m.key + '|' + l.id)));
    if (!who)
      throw new Error('no resident member with cells ' + two.map(l => l.id).join(', ') + ' (values look like ' + values.slice(0, 2).join(' ') + ')');
    const before = (await hours())[who.key];
    for (const l of two)
      await page.click('input[type=checkbox][name=c][value="' + who.key + '|' + l.id + '"]');
    const channel = await page.$$eval('select[name=channel] option', os =>
      (os.find(o => /课堂|classroom/.test(o.textContent + ' ' + o.value)) || {}).value);
    if (channel === undefined) throw new Error('select[name=channel] has no 课堂 option');
    await page.select('select[name=channel]', channel);
    await page.$eval('input[name=date]', e => { e.value = '2023-02-20'; });
    await shot('attendance-ticked');
    await clickAndWait('#save-grid');
    await shot('attendance-saved');
    const after = (await hours())[who.key];
    const want = two.reduce((s, l) => s + l.hours, 0);
    check('attendance grid: ' + who.name + ' (' + who.key + ') gains the ' + want + ' h of ' + two.map(l => l.id).join(' and '),
      before && after && near(after.hours - before.hours, want),
      'hours ' + (before && before.hours) + ' -> ' + (after && after.hours));
  });

  await step('chat paste', async () => {
    const mobile = members.filter(m => m.group === '流动' && m.unique);
    const good = mobile[0], bad = mobile[1];
    const r1 = receipt(good.name, '1-2', false), r2 = receipt(bad.name, '1-3', true);
    const chat = '吉利村党员学习群\n导出时间：2023-03-10 22:00:00\n————————————————\n\n' +
      '2023-02-10 20:00:00 ' + good.name + '\n' + r1.text + '\n' +
      '2023-02-10 20:05:00 ' + bad.name + '\n' + r2.text;
    const before = await hours();
    await open('/attendance/' + VILLAGE);
    await page.$eval('#paste textarea', (e, t) => { e.value = t; }, chat);
    const previewButton = await page.$$eval('#paste button, #paste input[type=submit]', bs => {
      const i = bs.findIndex(b => b.id !== 'save-chat' && (b.value === 'preview' || /预览|preview/i.test(b.textContent + b.value)));
      return i;
    });
    if (previewButton < 0) throw new Error('#paste has no preview button');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 30000 }),
      page.$$('#paste button, #paste input[type=submit]').then(bs => bs[previewButton].click())]);
    const found = await page.$$eval('#found tr', trs => trs.map(t => t.textContent));
    const codes = [r2.code, r2.code.replace('-', '')];
    const flagged = found.filter(t => codes.some(c => t.includes(c)) || (t.includes(bad.name) && /校验码|check code|不符|对不上/i.test(t)));
    const matched = found.filter(t => t.includes(good.name) && !flagged.includes(t));
    check('chat paste: preview lists the matched receipt (' + good.name + ') and the bad code (' + bad.name + ')',
      matched.length >= 1 && flagged.length >= 1, matched.length + ' matched, ' + flagged.length + ' bad; rows: ' + JSON.stringify(found).slice(0, 300));
    await shot('chat-preview');
    const mid = await hours();
    check('chat paste: preview imports nothing', near(mid[good.key].hours, before[good.key].hours),
      before[good.key].hours + ' -> ' + mid[good.key].hours);
    await clickAndWait('#save-chat');
    await shot('chat-saved');
    const after = await hours();
    check('chat paste: save credits ' + good.name + ' and not ' + bad.name,
      after[good.key].hours > before[good.key].hours && near(after[bad.key].hours, before[bad.key].hours),
      good.name + ' ' + before[good.key].hours + ' -> ' + after[good.key].hours + ', ' + bad.name + ' ' +
      before[bad.key].hours + ' -> ' + after[bad.key].hours);
  });

  await step('sheet upload', async () => {
    const sheet = path.join(TOWNSHIP, 'returns', 'class-' + VILLAGE + '.csv');
    const sum = h => Object.values(h).reduce((s, m) => s + m.hours, 0);
    const before = sum(await hours());
    await open('/attendance/' + VILLAGE);
    const input = await page.$('#upload input[type=file]');
    if (!input) throw new Error('no #upload input[type=file]');
    await input.uploadFile(sheet);
    const submit = await page.$('#upload [type=submit], #upload button');
    const r = await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 60000 }),
      submit ? submit.click() : page.$eval('#upload', f => f.submit())]);
    await shot('upload');
    check('sheet upload: the page answers 200', r[0] && r[0].status() === 200, r[0] ? r[0].status() : 'no response');
    const after = sum(await hours());
    check('sheet upload: ' + path.basename(sheet) + ' adds hours to ' + VILLAGE, after > before + 1, before + ' -> ' + after);
  });

  await step('build and download', async () => {
    await open('/build');
    await shot('build');
    await page.select('select[name=village]', VILLAGE);
    const form = await page.$('form:has(select[name=village])');
    const submit = form && await form.$('[type=submit], button');
    if (!submit) throw new Error('no submit button in the build form');
    // The POST answers at once (303 to /build); the build runs in a child
    // process and the page follows it: a bar the script moves, then the
    // result once the script reloads the page.
    const t0 = Date.now();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 30000 }), submit.click()]);
    const landed = Date.now() - t0;
    const first = await page.$eval('#build-status', s => ({
      state: s.getAttribute('data-state'),
      bar: !!s.querySelector('progress#build-progress'),
    })).catch(() => null);
    check('build: the POST lands on /build with the progress bar (' + landed + ' ms, ' + (first && first.state) + ')',
      first && first.bar && page.url().endsWith('/build'), JSON.stringify(first) + ' at ' + page.url());
    if (first && first.state === 'running') await shot('building');
    let end = null;
    for (let i = 0; i < 240 && !end; i++) {
      end = await page.evaluate(() => {
        const s = document.querySelector('#build-status'), p = document.querySelector('#build-progress');
        if (!s || s.getAttribute('data-state') === 'running' || !p) return null;
        return { state: s.getAttribute('data-state'), value: p.value, max: p.max,
          ok: !!document.querySelector('#build-ok'), text: (document.querySelector('#build-ok') || {}).textContent };
      }).catch(() => null);
      if (!end) await new Promise(r => setTimeout(r, 500));
    }
    check('build: the progress bar reaches the end and the result shows (' + JSON.stringify(end) + ')',
      end && end.state === 'ok' && end.ok && end.max >= 1 && end.value === end.max && /退出状态 0/.test(end.text),
      JSON.stringify(end));
    await shot('built');
    const links = await page.$$eval('a.download', as => as.map(a => a.getAttribute('href')));
    const zip = links.find(h => /jili[^/]*\.zip$/.test(h) && !/phone|epub/.test(h));
    check('build: a.download links, one of them jili\'s bundle', !!zip, JSON.stringify(links));
    if (!zip) return;
    const res = await fetch(new URL(zip, BASE).href);
    const body = Buffer.from(await res.arrayBuffer());
    const dir = path.join(WS, 'downloads');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, path.basename(zip));
    fs.writeFileSync(file, body);
    check('build: the bundle downloads (' + body.length + ' bytes)', res.status === 200 && body.length > 1000, 'status ' + res.status);
    let out = '', st = 0;
    try { out = execFileSync(BIN, ['verify', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); }
    catch (e) { st = e.status; out = String(e.stderr || '') + String(e.stdout || ''); }
    check('build: coursepack verify passes on the downloaded bundle', st === 0, 'exit ' + st + ': ' + out);
  });

  check('no request left 127.0.0.1', outside.length === 0, outside.slice(0, 5).join(' '));
  check('no page or resource answered 400 or more', failed.length === 0, failed.slice(0, 5).join(' '));
  check('no JavaScript error on any page', jsErrors.length === 0, jsErrors.slice(0, 5).join(' | '));
}

const guard = setTimeout(() => { notOk('harness', 'timed out after 360 s'); process.exit(Math.min(failures, 100)); }, 360000);
main().catch(e => notOk('harness', e && e.stack ? e.stack : e))
  .finally(async () => {
    if (browser) await browser.close().catch(() => {});
    clearTimeout(guard);
    process.exit(Math.min(failures, 100));
  });
