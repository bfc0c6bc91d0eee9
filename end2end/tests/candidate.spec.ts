import { expect, test } from '@playwright/test';
import {
  candidate,
  confirmSlot,
  demo,
  escapeRegExp,
  newContext,
  openDeclineSection,
  radioIn,
  randomToken,
  roomySlot,
  SCREENSHOT_DIR,
  slotWithPlaces,
  waitForHydration,
} from './helpers';

// Candidate indices (see `candidate()` in helpers.ts): test index N uses demo candidate 2N on
// the phone and 2N+1 on the desktop. Indices 0–4 are used here, 5–7 in hr.spec.ts.

test('an unknown link says "此链接无效" with a 404 and reveals nothing', async ({ page }) => {
  const response = await page.goto(`/i/${randomToken()}`);
  expect(response, 'a response for the link').not.toBeNull();
  expect(response!.status()).toBe(404);
  await expect(page.getByRole('heading', { name: '此链接无效' })).toBeVisible();

  const text = await page.locator('body').innerText();
  for (const c of demo().candidates) {
    expect(text, 'no candidate name on the invalid-link page').not.toContain(c.name);
  }
  expect(text, 'no campaign on the invalid-link page').not.toContain(demo().campaign_title);
});

test('opening a link hides the token and greets the candidate; confirming with JavaScript updates the page in place', async ({ page }, testInfo) => {
  const c = candidate(0, testInfo.project.name);

  await test.step('open the link', async () => {
    const response = await page.goto(c.path);
    expect(response, 'a response for /invitation').not.toBeNull();
    expect(response!.status()).toBe(200);
    expect(response!.request().redirectedFrom()?.url(), 'the link redirects').toContain(`/i/${c.token}`);
    expect(page.url().endsWith('/invitation'), `${page.url()} ends with /invitation`).toBe(true);
    expect(page.url(), 'the token is not in the address').not.toContain(c.token);
    expect(response!.headers()['referrer-policy']).toBe('no-referrer');

    await expect(page.getByRole('heading', { level: 1 })).toContainText(`${c.name}，你好`);
    await expect(page.getByText('已查看未确认', { exact: true })).toBeVisible();
  });

  await test.step('confirm a time without a page reload', async () => {
    await waitForHydration(page);
    await page.evaluate(() => {
      (window as unknown as { __noReload?: number }).__noReload = 1;
    });
    // "剩余 5 个名额" while the demo's five-place slots last, else the roomiest slot.
    const slot = await roomySlot(page);
    await confirmSlot(page, slot);

    const ics = page.getByRole('link', { name: '添加到日历（.ics）' });
    await expect(ics).toBeVisible();
    const href = await ics.getAttribute('href');
    expect(href, 'the calendar link has an address').toBeTruthy();
    const res = await page.context().request.get(new URL(href!, page.url()).toString());
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('text/calendar');
    expect(await res.text()).toContain('BEGIN:VEVENT');

    expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload), 'no full page reload').toBe(1);
  });
});

test('without JavaScript, a reader with an English browser switches to Chinese and confirms a time', async ({ browser }, testInfo) => {
  const c = candidate(1, testInfo.project.name);
  const context = await newContext(browser, testInfo, { javaScriptEnabled: false, locale: 'en-US' });
  try {
    const page = await context.newPage();
    const h1 = page.getByRole('heading', { level: 1 });

    await test.step('the page is in English', async () => {
      await page.goto(c.path);
      await expect(h1).toContainText('Hello');
      await expect(h1).toContainText(c.name);
    });

    await test.step('"中文" switches to Chinese', async () => {
      await page.getByRole('link', { name: '中文', exact: true }).click();
      await expect(h1).toContainText(`${c.name}，你好`);
      expect(page.url(), 'back on the invitation page').toMatch(/\/invitation(\?.*)?$/);
    });

    await test.step('confirm with a plain form post', async () => {
      const slot = await roomySlot(page);
      await slot.radio.check();
      await page.getByRole('button', { name: '确认此时间' }).click();
      await expect(page.getByRole('status').filter({ hasText: '已确认，期待你的面试。' })).toBeVisible();
      await expect(page.getByRole('heading', { name: '你的面试时间已确认' })).toBeVisible();
      expect(page.url(), 'the token is not in the address').not.toContain(c.token);
    });
  } finally {
    await context.close();
  }
});

test('when two candidates want the last place, the second is told it just filled up and then sees it full', async ({ browser }, testInfo) => {
  const a = candidate(2, testInfo.project.name);
  const b = candidate(3, testInfo.project.name);
  const contextA = await newContext(browser, testInfo);
  const contextB = await newContext(browser, testInfo);
  try {
    // B opens the page first; it goes stale once A takes the place.
    const pageB = await contextB.newPage();
    await pageB.goto(b.path);
    await waitForHydration(pageB);

    const pageA = await contextA.newPage();
    await pageA.goto(a.path);
    await waitForHydration(pageA);

    const slot = await slotWithPlaces(pageA, 1);
    expect(slot, 'a slot with "剩余 1 个名额"').toBeDefined();
    // The same slot on B's page, by the exact name A saw before confirming.
    const radioB = radioIn(pageB, slot!.day, slot!.name);
    await expect(radioB).toBeEnabled();

    await test.step('A takes the last place', async () => {
      await confirmSlot(pageA, slot!);
    });

    await test.step('B tries the same time on the stale page', async () => {
      await radioB.check();
      await pageB.getByRole('button', { name: '确认此时间' }).click();
      await expect(pageB.getByRole('alert').filter({ hasText: '这个时间刚刚约满了' })).toBeVisible();

      const full = radioIn(pageB, slot!.day, new RegExp(`^${escapeRegExp(slot!.time)}\\s*已约满`));
      await expect(full).toBeVisible();
      await expect(full).toBeDisabled();
      await expect(pageB.getByRole('heading', { name: '你的面试时间已确认' })).toHaveCount(0);
      await expect(pageB.getByText('已查看未确认', { exact: true })).toBeVisible();
    });
  } finally {
    await contextA.close();
    await contextB.close();
  }
});

test('declining: "其他" needs a note (without JavaScript), and a decline with a reason is recorded', async ({ page, browser }, testInfo) => {
  const c = candidate(4, testInfo.project.name);

  await test.step('"其他" without a note is refused and changes nothing (no JavaScript)', async () => {
    const context = await newContext(browser, testInfo, { javaScriptEnabled: false });
    try {
      const plain = await context.newPage();
      await plain.goto(c.path);
      await openDeclineSection(plain);
      await plain.getByRole('radio', { name: '其他', exact: true }).check();
      await expect(plain.getByRole('textbox', { name: '补充说明（选择“其他”时必填）' })).toHaveValue('');
      await plain.getByRole('button', { name: '谢绝本次面试' }).click();

      await expect(plain.getByRole('alert').filter({ hasText: '选择“其他”时，请简单说明原因。' })).toBeVisible();
      await expect(plain.getByText('已查看未确认', { exact: true })).toBeVisible();
      await expect(plain.getByRole('heading', { name: '你已谢绝本次面试' })).toHaveCount(0);
      await expect(plain.getByRole('heading', { name: '选择面试时间' })).toBeVisible();
    } finally {
      await context.close();
    }
  });

  await test.step('declining with a reason and a note (JavaScript on)', async () => {
    await page.goto(c.path);
    await waitForHydration(page);
    await openDeclineSection(page);
    await page.getByRole('radio', { name: '已接受其他工作机会' }).check();
    await page.getByRole('textbox', { name: '补充说明（选择“其他”时必填）' }).fill('已入职其他银行');
    await page.getByRole('button', { name: '谢绝本次面试' }).click();
    await expect(page.getByRole('heading', { name: '你已谢绝本次面试' })).toBeVisible();
    await expect(page.getByRole('button', { name: '确认此时间' })).toHaveCount(0);
  });
});

test('a note the server cannot store as typed is refused in place, and what was typed stays', async ({ page }, testInfo) => {
  const c = candidate(18, testInfo.project.name);
  await page.goto(c.path);
  await waitForHydration(page);
  await openDeclineSection(page);
  await page.getByRole('radio', { name: '其他', exact: true }).check();
  const note = page.getByLabel('补充说明（选择“其他”时必填）');
  await note.fill('家里有事，下周再约');

  // The post arrives with a NUL in the note, as a broken keyboard or a paste could send it.
  await page.route('**/api/decline', async (route) => {
    const body = (route.request().postData() ?? '') + '%00';
    await route.continue({ postData: body });
  });
  await page.getByRole('button', { name: '谢绝本次面试' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '控制字符' })).toBeVisible();
  await expect(note, 'what was typed is still there').toHaveValue('家里有事，下周再约');
  expect(page.url().endsWith('/invitation'), `${page.url()} is still the invitation page`).toBe(true);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOT_DIR}/refused-note-${testInfo.project.name}.png`, fullPage: true });

  // Sent as typed, it goes through.
  await page.unroute('**/api/decline');
  await page.getByRole('button', { name: '谢绝本次面试' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已收到你的回复。' })).toBeVisible();
});
