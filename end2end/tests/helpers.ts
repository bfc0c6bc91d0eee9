import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page, type TestInfo } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What `scripts/e2e-server.sh` writes to `end2end/.demo.json` after seeding. */
export interface Demo {
  hr: { email: string; password: string; login_url: string };
  campaign_id: number;
  campaign_title: string;
  candidates: DemoCandidate[];
  /** Candidates who missed last season's interview and have not opened this invitation. */
  at_risk: string[];
}

/** A fresh (never opened) candidate from the demo data. */
export interface DemoCandidate {
  name: string;
  /** The full invitation link, `http://host:port/i/<token>`. */
  link: string;
}

/** A candidate as a test uses it. */
export interface Candidate extends DemoCandidate {
  /** The link's path (`/i/<token>`), resolved against the configured base URL. */
  path: string;
  /** The secret token in the link. */
  token: string;
  /** Which demo candidate this is. */
  index: number;
}

export const DEMO_FILE = path.join(__dirname, '..', '.demo.json');
export const SCREENSHOT_DIR = path.join(__dirname, '..', 'screenshots');

let cached: Demo | undefined;

/**
 * The seeded demo data. Read lazily: the file only exists once the web server has started,
 * which is after Playwright has loaded the test files.
 */
export function demo(): Demo {
  if (!cached) {
    if (!fs.existsSync(DEMO_FILE)) {
      throw new Error(`${DEMO_FILE} is missing: scripts/e2e-server.sh should write it after seeding.`);
    }
    cached = JSON.parse(fs.readFileSync(DEMO_FILE, 'utf8')) as Demo;
  }
  return cached;
}

/**
 * The candidate a test uses. Every test has its own `testIndex` (unique across all spec
 * files), and the two projects take alternate candidates, so no two tests (and neither
 * project's run of the same test) ever share a candidate.
 */
export function candidate(testIndex: number, projectName: string): Candidate {
  const index = testIndex * 2 + (projectName === 'desktop' ? 1 : 0);
  const all = demo().candidates;
  const c = all[index];
  if (!c) {
    throw new Error(`The demo data has ${all.length} fresh candidates; this test needs candidate #${index} (test index ${testIndex}, project ${projectName}).`);
  }
  const url = new URL(c.link);
  const token = url.pathname.replace(/^\/i\//, '');
  return { ...c, path: url.pathname, token, index };
}

/** Waits until the WebAssembly has hydrated the page (the app then marks `<body>`). */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForSelector('body[data-hydrated="true"]');
}

/**
 * The context options of the running project (viewport, touch, user agent, locale, base URL),
 * for contexts a test opens itself, with `overrides` on top.
 */
export function projectContextOptions(testInfo: TestInfo, overrides: BrowserContextOptions = {}): BrowserContextOptions {
  const use = testInfo.project.use;
  const options: BrowserContextOptions = {
    baseURL: use.baseURL,
    viewport: use.viewport,
    isMobile: use.isMobile,
    hasTouch: use.hasTouch,
    deviceScaleFactor: use.deviceScaleFactor,
    userAgent: use.userAgent,
    locale: use.locale,
  };
  for (const key of Object.keys(options) as (keyof BrowserContextOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return { ...options, ...overrides };
}

/** A new context like the project's, with `overrides` (e.g. `{ javaScriptEnabled: false }`). */
export async function newContext(browser: Browser, testInfo: TestInfo, overrides: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext(projectContextOptions(testInfo, overrides));
}

/**
 * The accessible name of the element `locator` points at, exactly as `getByRole` sees it
 * (read from Playwright's ARIA snapshot, so the two always agree).
 */
export async function accessibleName(locator: Locator): Promise<string> {
  const snapshot = await locator.ariaSnapshot();
  const first = snapshot.split('\n')[0] ?? '';
  const m = /^\s*- [\w-]+ ("(?:[^"\\]|\\.)*")/.exec(first);
  if (!m) throw new Error(`No accessible name in ARIA snapshot: ${first}`);
  return JSON.parse(m[1]) as string;
}

/** Radios of the slot chooser whose names say how many places are left ("剩余 N 个名额"). */
export function slotRadios(page: Page): Locator {
  return page.getByRole('radio', { name: /剩余 \d+ 个名额/ });
}

/** A slot radio with its day (the fieldset's legend) and names, as the candidate sees them. */
export interface SlotPick {
  radio: Locator;
  /** The accessible name of the day's group, e.g. "11月24日 星期二". */
  day: string;
  /** The radio's accessible name, e.g. "10:30–11:00 剩余 5 个名额". */
  name: string;
  /** The time part of the name, e.g. "10:30–11:00". */
  time: string;
  /** Places left when picked. */
  places: number;
}

function placesIn(name: string): number | undefined {
  const m = /剩余 (\d+) 个名额/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The time part of a slot radio's name (the text before "剩余" / "已约满" / "你的时间"). */
export function timeOf(name: string): string {
  return name.split(/剩余|已约满|你的时间/)[0].trim();
}

/** The enabled slot radios, in page order, with their day and names. */
export async function availableSlots(page: Page): Promise<SlotPick[]> {
  const radios = slotRadios(page);
  await expect(radios.first()).toBeVisible();
  const picks: SlotPick[] = [];
  for (const radio of await radios.all()) {
    if (!(await radio.isEnabled())) continue;
    const name = await accessibleName(radio);
    const places = placesIn(name);
    if (places === undefined) continue;
    const group = radio.locator('xpath=ancestor::fieldset[1]');
    const day = await accessibleName(group);
    picks.push({ radio, day, name, time: timeOf(name), places });
  }
  return picks;
}

/** The first enabled slot radio with exactly `places` places left, or undefined. */
export async function slotWithPlaces(page: Page, places: number): Promise<SlotPick | undefined> {
  return (await availableSlots(page)).find((p) => p.places === places);
}

/**
 * A slot with room to spare: the first of those with the most places left ("剩余 5 个名额"
 * while the demo's five-place slots last), and never one with a single place, so these tests
 * do not fill up slots or use the one-place slots the full-slot test relies on.
 */
export async function roomySlot(page: Page): Promise<SlotPick> {
  const slots = await availableSlots(page);
  const most = Math.max(0, ...slots.map((p) => p.places));
  const pick = most >= 2 ? slots.find((p) => p.places === most) : undefined;
  if (!pick) throw new Error(`No slot with at least two places left; saw: ${slots.map((s) => `${s.day} ${s.name}`).join(' | ')}`);
  return pick;
}

/** The slot radio with this exact name in this day's group. */
export function radioIn(page: Page, day: string, name: string | RegExp): Locator {
  return page
    .getByRole('group', { name: day, exact: true })
    .getByRole('radio', typeof name === 'string' ? { name, exact: true } : { name });
}

/** Escapes text for use in a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Picks the slot and confirms it, then waits for the confirmation the candidate sees. */
export async function confirmSlot(page: Page, slot: SlotPick): Promise<void> {
  await slot.radio.check();
  await page.getByRole('button', { name: '确认此时间' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已确认，期待你的面试。' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '你的面试时间已确认' })).toBeVisible();
}

/** Opens the "无法参加？" section of the invitation page. */
export async function openDeclineSection(page: Page): Promise<void> {
  const summary = page.locator('summary').filter({ hasText: '无法参加？' });
  await summary.click();
  await expect(page.getByRole('button', { name: '谢绝本次面试' })).toBeVisible();
}

/** The path of the HR sign-in page from the demo data. */
export function hrLoginPath(): string {
  return new URL(demo().hr.login_url).pathname;
}

/** Signs in as the demo HR admin and waits for the campaign list. */
export async function signInAsHr(page: Page, opts: { javaScript: boolean } = { javaScript: true }): Promise<void> {
  const { email, password } = demo().hr;
  await page.goto(hrLoginPath());
  if (opts.javaScript) await waitForHydration(page);
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/hr\/?$/);
  await expect(page.getByRole('heading', { name: '招聘批次' })).toBeVisible();
}

/** The data rows of the HR status table (the header row has no row header). */
export function dataRows(page: Page): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader') });
}

/** The HR status table's row for this candidate. */
export function rowOf(page: Page, name: string): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

/** Searches HR's status table for a name (so paging never hides the row). */
export async function searchStatus(page: Page, name: string): Promise<void> {
  await page.getByRole('searchbox', { name: '搜索姓名、邮箱或手机号' }).fill(name);
  await page.getByRole('button', { name: '搜索', exact: true }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(rowOf(page, name)).toBeVisible();
}

/** A slot's time as HR's table shows it, e.g. "10:30–11:00". */
export const TIME_RANGE = /\d{1,2}:\d{2}\s?[–-]\s?\d{1,2}:\d{2}/;

/** Saves a full-page screenshot to `end2end/screenshots/<project>-<name>.png`, for people to look at. */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${testInfo.project.name}-${name}.png`), fullPage: true });
}

/** 43 random base64url characters: the shape of a link token that was never issued. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
