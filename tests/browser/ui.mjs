// Plaza's web UI as people use it, in Debian's chromium driven by playwright-core, with every
// page checked by axe-core against WCAG 2.0 and 2.1, levels A and AA.
//
//   node ui.mjs BASE_URL SCREENSHOT_DIR
//
// BASE_URL is a Plaza started with `serve --demo` (the fictional City of Arbor Vale). Every page
// visited is saved as a screenshot in SCREENSHOT_DIR. The script prints one line per check and
// exits non-zero if any check fails. Chromium is /usr/bin/chromium unless PLAZA_CHROMIUM names
// another.

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node ui.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
// Every step is bounded by playwright's timeouts (the sessions' default, and axe's wait for
// its result), so a hung browser fails the run instead of blocking it.

const PASSWORD = 'arbor-vale-demo';
const PIO = 'marco.reyes@arborvale.example';
const CLERK = 'helen.okafor@arborvale.example';
const LIBRARIAN = 'omar.haddad@arborvale.example';
const MANAGER = 'dana.whitfield@arborvale.example';
const LEGAL = 'samuel.park@arborvale.example';
const HR = 'rosa.delgado@arborvale.example';
const RISK = 'tom.brennan@arborvale.example';
// the site proposed (without JavaScript) early on, taken through its lifecycle later
const NEW_SITE = 'Arbor Vale Senior Center on Bluesky';

const failures = [];
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

let shotNo = 0;
let lastPage = null;
async function shoot(page, name) {
  shotNo += 1;
  const file = `${shots}/${String(shotNo).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
}

// axe-core on the page as it is now: every WCAG 2.0/2.1 A and AA rule. Plaza's Content Security
// Policy forbids inline scripts, so the contexts bypass it to inject axe (the policy itself is
// checked on the home page).
async function accessible(page, name) {
  await page.addScriptTag({ content: AXE });
  // axe runs in the page; its result is polled for, within the session's timeout
  await page.evaluate(() => {
    window.plazaAxe = null;
    // eslint-disable-next-line no-undef
    axe
      .run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        resultTypes: ['violations'],
      })
      .then((r) => { window.plazaAxe = r; });
  });
  const result = await (await page.waitForFunction(() => window.plazaAxe)).jsonValue();
  const found = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`,
  );
  check(found.length === 0, `${name}: no WCAG 2.1 A/AA violations${found.length ? `\n       ${found.join('\n       ')}` : ''}`);
}

// Checks the page as it is now with axe, and saves its screenshot.
async function accessibleShot(page, name) {
  await accessible(page, name);
  await shoot(page, name);
}

// Visits a page, checks its status, title and one <h1>, runs axe, and saves a screenshot.
async function visit(page, path, name, status = 200) {
  lastPage = page;
  const response = await page.goto(base + path);
  check(response.status() === status, `${name}: ${path} answers ${status} (got ${response.status()})`);
  const lang = await page.getAttribute('html', 'lang');
  check(!!lang, `${name}: the page declares its language`);
  const title = await page.title();
  check(title.trim().length > 0, `${name}: the page has a title ("${title}")`);
  const h1 = await page.locator('h1').count();
  check(h1 === 1, `${name}: the page has exactly one h1 (has ${h1})`);
  await accessibleShot(page, name);
}

// A fresh browser session with its own cookies; `options` are playwright context options.
// Plaza's Content Security Policy forbids inline scripts, so sessions bypass it to inject axe.
async function session(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  lastPage = page;
  return { context, page };
}

// Presses a button and waits for the page it leads to.
async function press(page, name) {
  await page.getByRole('button', { name }).click();
  await page.waitForLoadState('load');
}

async function signIn(page, email) {
  await page.goto(`${base}/login`);
  await page.getByLabel(/e-?mail/i).fill(email);
  await page.getByLabel(/password/i).fill(PASSWORD);
  await press(page, /sign in/i);
}

const browser = await chromium.launch({
  executablePath: process.env.PLAZA_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  // --- The public, as a resident sees it (no sign-in) -----------------------------------------
  {
    const { context, page } = await session();
    const home = await page.goto(`${base}/`);
    const csp = (await home.allHeaders())['content-security-policy'] || '';
    check(/script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp), `pages send a Content Security Policy without inline scripts ("${csp}")`);
    for (const [path, name] of [['/', 'home'], ['/sites', 'public-sites'], ['/policy', 'policy'],
      ['/policy/comments', 'comments-policy'], ['/transparency', 'transparency'], ['/login', 'login']]) {
      await visit(page, path, name);
    }
    // keyboard only (WCAG 2.4.1, 2.4.7): the first Tab reaches the skip link, which is visible
    // when focused and moves focus to the main content
    const hidden = await page.locator('a.skip').boundingBox();
    check(hidden === null || hidden.x + hidden.width <= 0 || hidden.y + hidden.height <= 0, 'the skip link is out of sight until it has focus');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({ text: document.activeElement.textContent.trim(), href: document.activeElement.getAttribute('href') }));
    check(first.href === '#main', `the first Tab stop is the skip link (got ${JSON.stringify(first)})`);
    const box = await page.locator('a.skip').boundingBox();
    check(box !== null && box.width > 1 && box.height > 1 && box.x >= 0 && box.y >= 0 && box.x + box.width <= 1280,
      `the focused skip link is visible in the window (${JSON.stringify(box)})`);
    await page.keyboard.press('Enter');
    check(await page.evaluate(() => document.activeElement.id === 'main'), 'the skip link moves focus to the main content');
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => document.activeElement.id);
    check(next === 'email', `the next Tab stop is the first field of the sign-in form (got "${next}")`);
    const staff = await page.goto(`${base}/staff`);
    check(new URL(page.url()).pathname === '/login' || staff.status() === 401,
      `a visitor who opens /staff is sent to sign in (at ${page.url()}, ${staff.status()})`);
    await context.close();
  }

  // --- Sign-in works without JavaScript, and a wrong password says so --------------------------
  {
    const { context, page } = await session({ javaScriptEnabled: false });
    await page.goto(`${base}/login`);
    await page.getByLabel(/e-?mail/i).fill(PIO);
    await page.getByLabel(/password/i).fill('not the password');
    await press(page, /sign in/i);
    const body = await page.locator('body').innerText();
    check(/(wrong|incorrect|invalid|not recogni)/i.test(body), 'a wrong password is refused with a message');
    check(new URL(page.url()).pathname === '/login', 'a wrong password stays on the sign-in page');
    await shoot(page, 'login-refused-no-js');
    await signIn(page, PIO);
    check(new URL(page.url()).pathname.startsWith('/staff'), `without JavaScript the PIO signs in (at ${page.url()})`);

    // proposing a site, without JavaScript: a private registration address is refused with a
    // message naming the field and the form keeps what was typed; corrected, the site is proposed
    const name = NEW_SITE;
    await page.goto(`${base}/staff/sites/new`);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Platform').selectOption({ label: 'Bluesky' });
    await page.getByLabel('Account handle').fill('seniors.arborvale.example');
    await page.getByLabel(/address of the account/i).fill('https://bsky.app/profile/seniors.arborvale.example');
    await page.getByLabel('Department').fill('Community Services');
    await page.getByLabel(/registration email/i).fill('seniorcenter@gmail.com');
    await page.getByLabel('Purpose').fill('Activities, meals and closures at the Senior Center.');
    await press(page, /propose site/i);
    await shoot(page, 'site-refused-no-js');
    const refused = await page.locator('main').innerText();
    const emailError = await page.locator('#registration_email-error').innerText().catch(() => '');
    check(/gmail\.com/.test(emailError) && /arborvale\.example/.test(emailError),
      `a site registered with a private address is refused beside the registration email, naming the City domain ("${emailError}")`);
    check((await page.getByLabel(/registration email/i).getAttribute('aria-invalid')) === 'true', 'the registration email is marked invalid');
    check(/registration email/i.test(refused), 'the error summary names the field');
    check((await page.getByLabel('Name', { exact: true }).inputValue()) === name, 'the refused form keeps what was typed');
    await page.getByLabel(/registration email/i).fill('seniorcenter@arborvale.example');
    await press(page, /propose site/i);
    check((await page.locator('h1').innerText()).includes(name), `the proposed site opens on its own page (h1: ${await page.locator('h1').innerText()})`);
    check(/proposed/i.test(await page.locator('main').innerText()), 'the new site is in the "proposed" state');
    await shoot(page, 'site-proposed-no-js');
    await page.goto(`${base}/staff/sites`);
    check((await page.getByRole('link', { name }).count()) === 1, 'the site register lists the proposed site');
    await context.close();
  }

  // --- The PIO's pages ------------------------------------------------------------------------
  {
    const { context, page } = await session();
    await page.goto(`${base}/login`);
    await page.getByLabel(/e-?mail/i).fill(PIO);
    await page.getByLabel(/password/i).fill('not the password');
    await press(page, /sign in/i);
    await accessible(page, 'login-refused');
    await signIn(page, PIO);
    for (const [path, name] of [['/staff', 'dashboard'], ['/staff/sites', 'sites'],
      ['/staff/sites/new', 'site-new'], ['/staff/people', 'people'],
      ['/staff/authorizations', 'authorizations'], ['/staff/policy', 'staff-policy'],
      ['/staff/records', 'records']]) {
      await visit(page, path, name);
    }

    // every site in the register (captured posts and comments with their moderation, the
    // lifecycle forms), then one of each other detail page, reached by clicking
    await page.goto(`${base}/staff/sites`);
    const sitePages = [...new Set(await page.locator('main a[href^="/staff/sites/"]:not([href$="/new"])')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href'))))];
    check(sitePages.length >= 5, `the register lists the demo city's sites (${sitePages.length})`);
    let explained = false;
    for (const href of sitePages) {
      await visit(page, href, `site-${href.split('/').pop()}`);
      explained ||= /review: C\.7\.[ivx]+ [A-Z][a-z]+/.test(await page.locator('main').innerText());
    }
    check(explained, 'captured comments sent to review name each clause with its title');
    for (const [list, name] of [['people', 'person-detail'], ['authorizations', 'authorization-detail'], ['records', 'record-detail']]) {
      await page.goto(`${base}/staff/${list}`);
      await page.locator(`main a[href^="/staff/${list}/"]:not([href$="/new"])`).first().click();
      await page.waitForLoadState('load');
      await visit(page, new URL(page.url()).pathname, name);
    }

    // a refused form is accessible too: the summary links to the field, which says what is wrong
    await page.goto(`${base}/staff/sites/new`);
    await page.getByLabel('Name', { exact: true }).fill('Arbor Vale Pool on Mastodon');
    await page.getByLabel('Account handle').fill('pool');
    await page.getByLabel(/address of the account/i).fill('social.example/@pool');
    await page.getByLabel('Department').fill('Recreation');
    await page.getByLabel(/registration email/i).fill('pool@arborvale.example');
    await press(page, /propose site/i);
    const url = page.getByLabel(/address of the account/i);
    check((await url.getAttribute('aria-invalid')) === 'true', 'an account address without https:// is marked invalid');
    check((await page.locator('#error-summary a[href="#url"]').count()) === 1, 'the error summary links to the address field');
    await accessibleShot(page, 'site-refused');

    // adding a person with a too-short password: the roles stay checked, the password is not kept
    await page.goto(`${base}/staff/people/new`);
    await page.getByLabel('Full name').fill('Jordan Ellis');
    await page.getByLabel('Title', { exact: true }).fill('Parks Supervisor');
    await page.getByLabel(/official email/i).fill('jordan.ellis@arborvale.example');
    await page.getByLabel('Department', { exact: true }).fill('Parks');
    await page.locator('input[name="roles"]').first().check();
    const role = await page.locator('input[name="roles"]').first().getAttribute('value');
    await page.getByLabel(/initial password/i).fill('short');
    await press(page, /add person/i);
    check(/at least 10 characters/.test(await page.locator('#password-error').innerText()), 'a short password is refused beside its field');
    check(await page.locator(`input[name="roles"][value="${role}"]`).isChecked(), 'the refused form keeps the role checked');
    check((await page.getByLabel(/initial password/i).inputValue()) === '', 'the refused form does not send the password back');
    check((await page.getByLabel('Full name').inputValue()) === 'Jordan Ellis', 'the refused form keeps the name');
    await accessibleShot(page, 'person-refused');

    // a policy file with an error comes back with the error naming its line, nothing lost
    await page.goto(`${base}/staff/policy`);
    const broken = '[policy]\nname = "Arbor Vale draft"\nversion = ';
    await page.getByLabel('Policy file').fill(broken);
    await press(page, /check and load/i);
    check(/line \d/.test(await page.locator('#policy-error').innerText()), 'a broken policy is refused with the line of its error');
    check((await page.getByLabel('Policy file').inputValue()) === broken, 'the refused policy file is kept in the form');
    await accessibleShot(page, 'policy-refused');
    await context.close();
  }

  // --- The City Manager grants an authorization -----------------------------------------------
  {
    const { context, page } = await session();
    await signIn(page, MANAGER);
    await visit(page, '/staff/authorizations/new', 'grant-new');
    await page.locator('#level-publish, input[name="level"]').last().check();
    const level = await page.locator('input[name="level"]:checked').getAttribute('value');
    await page.getByLabel('Scope').fill('Pool hours, swim lessons and closures.');
    await page.getByLabel('Starts').fill('2026-12-01');
    await page.getByLabel('Ends').fill('2026-11-01');
    await press(page, /grant/i);
    check(/after the start/.test(await page.locator('#ends-error').innerText()), 'an end before the start is refused beside the end date');
    check((await page.locator('input[name="level"]:checked').getAttribute('value')) === level, 'the refused grant keeps the chosen level');
    check((await page.getByLabel('Scope').inputValue()).startsWith('Pool hours'), 'the refused grant keeps the scope');
    await accessibleShot(page, 'grant-refused');
    await page.getByLabel('Ends').fill('2027-12-01');
    await press(page, /grant/i);
    check(/^\/staff\/authorizations\/\d+$/.test(new URL(page.url()).pathname), `the corrected grant is made (at ${page.url()})`);
    await accessibleShot(page, 'grant-made');
    await context.close();
  }

  // --- On a phone-sized screen (320 CSS px, WCAG 1.4.10 Reflow) nothing scrolls sideways but a
  // wide table, inside its own box ------------------------------------------------------------
  {
    const { context, page } = await session({ viewport: { width: 320, height: 640 } });
    const narrow = async (path, name) => {
      await page.goto(base + path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      check(width <= 320, `${name} at 320 px: the page is ${width} px wide, no sideways scrolling`);
      await accessible(page, `${name} at 320 px`);
      await shoot(page, `${name}-320px`);
    };
    for (const [path, name] of [['/', 'home'], ['/sites', 'public-sites'], ['/policy/comments', 'comments-policy'], ['/login', 'login']]) {
      await narrow(path, name);
    }
    await signIn(page, PIO);
    await page.goto(`${base}/staff/sites`);
    const site = await page.locator('main a[href^="/staff/sites/"]:not([href$="/new"])').last().getAttribute('href');
    for (const [path, name] of [['/staff', 'dashboard'], ['/staff/sites', 'sites'], ['/staff/sites/new', 'site-new'], [site, 'site-detail'], ['/staff/records', 'records']]) {
      await narrow(path, name);
    }
    await context.close();
  }

  // --- The proposed site through its lifecycle (B.3, B.8), each person in their own browser ----
  {
    const as = async (email, act) => {
      const { context, page } = await session();
      await signIn(page, email);
      await page.goto(`${base}/staff/sites`);
      await page.getByRole('link', { name: NEW_SITE }).click();
      await page.waitForLoadState('load');
      await act(page);
      await page.waitForLoadState('load');
      const main = await page.locator('main').innerText();
      const badge = await page.locator('main .badge').first().innerText().catch(() => '');
      const answers = await page.locator('#table-site-1').locator('xpath=ancestor::table').locator('tbody tr').allInnerTexts().catch(() => []);
      await context.close();
      return { main, badge, answers };
    };
    const answered = (rows, area) => rows.some((r) => r.startsWith(area) && /signed off/i.test(r));
    let state = await as(PIO, (page) => page.getByRole('button', { name: 'Open consultation' }).click());
    check(state.badge === 'consultation', `the PIO opens consultation on the proposed site (state "${state.badge}")`);
    // an objection needs a note: refused, and nothing is recorded
    state = await as(LEGAL, async (page) => {
      await page.getByRole('radio', { name: 'Object' }).check();
      await page.getByRole('button', { name: 'Record answer' }).click();
    });
    check(/note/i.test(state.main) && /check what you entered/i.test(state.main), 'an objection without a note is refused, naming the note');
    for (const [email, area] of [[LEGAL, 'Legal counsel'], [HR, 'Human resources'], [RISK, 'Risk management']]) {
      check(!answered(state.answers, area), `${area} has not answered yet`);
      state = await as(email, (page) => page.getByRole('button', { name: 'Record answer' }).click());
      check(answered(state.answers, area), `${area} signs off (${JSON.stringify(state.answers)})`);
    }
    state = await as(MANAGER, async (page) => {
      const form = page.locator('form', { has: page.getByRole('button', { name: 'Approve site' }) });
      await form.getByRole('textbox').fill('Consultation complete; the Senior Center needs its own channel.');
      await form.getByRole('button', { name: 'Approve site' }).click();
    });
    check(state.badge === 'approved', `the City Manager approves with a written reason (state "${state.badge}")`);
    state = await as(PIO, (page) => page.getByRole('button', { name: 'Activate' }).click());
    check(state.badge === 'active', `the PIO activates the approved site (state "${state.badge}")`);
    const { context, page } = await session();
    await page.goto(`${base}/sites`);
    check((await page.getByText(NEW_SITE).count()) === 1, 'the public list of official sites shows the newly active site');
    await shoot(page, 'public-sites-after-activation');
    await context.close();
  }

  // --- A staff member without the PIO's role is refused the PIO's pages -----------------------
  {
    const { context, page } = await session();
    await signIn(page, LIBRARIAN);
    const r = await page.goto(`${base}/staff/people/new`);
    check(r.status() === 403, `a librarian opening the add-a-person form is refused (got ${r.status()})`);
    await accessibleShot(page, 'forbidden');
    await context.close();
  }

  // --- The clerk reads the record -------------------------------------------------------------
  {
    const { context, page } = await session();
    await signIn(page, CLERK);
    await visit(page, '/staff/records', 'clerk-records');
    await context.close();
  }
} catch (e) {
  // a step that could not be taken: say which, and keep a picture of the page it was on
  failures.push(e.message.split('\n')[0]);
  console.log(`FAIL ${e.stack}`);
  if (lastPage) await shoot(lastPage, 'failed-here').catch(() => {});
} finally {
  await browser.close();
}

console.log(failures.length ? `\n${failures.length} check(s) failed` : '\nall checks passed');
process.exit(failures.length ? 1 : 0);
