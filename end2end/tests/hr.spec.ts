import { expect, test, type Page } from '@playwright/test';
import {
  candidate,
  confirmSlot,
  dataRows,
  demo,
  hrLoginPath,
  newContext,
  openDeclineSection,
  randomToken,
  roomySlot,
  rowOf,
  saveScreenshot,
  searchStatus,
  signInAsHr,
  TIME_RANGE,
  waitForHydration,
} from './helpers';

// Candidate indices (see `candidate()` in helpers.ts): test index N uses demo candidate 2N on
// the phone and 2N+1 on the desktop. Indices 5–7 are used here, 0–4 in candidate.spec.ts.

/** From the campaign list, opens the demo campaign's status page. */
async function openCampaign(page: Page): Promise<void> {
  const title = demo().campaign_title;
  await page.getByRole('link', { name: title, exact: true }).click();
  await expect(page).toHaveURL(/\/hr\/campaigns\/\d+/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
}

test('HR sees who confirmed and who declined, and can filter by state', async ({ page, browser }, testInfo) => {
  const confirmer = candidate(5, testInfo.project.name);
  const decliner = candidate(6, testInfo.project.name);

  await test.step(`${confirmer.name} confirms a time`, async () => {
    await page.goto(confirmer.path);
    await waitForHydration(page);
    await confirmSlot(page, await roomySlot(page));
  });

  await test.step(`${decliner.name} declines: 时间冲突`, async () => {
    const context = await newContext(browser, testInfo);
    try {
      const p = await context.newPage();
      await p.goto(decliner.path);
      await waitForHydration(p);
      await openDeclineSection(p);
      await p.getByRole('radio', { name: '时间冲突', exact: true }).check();
      await p.getByRole('button', { name: '谢绝本次面试' }).click();
      await expect(p.getByRole('heading', { name: '你已谢绝本次面试' })).toBeVisible();
    } finally {
      await context.close();
    }
  });

  const context = await newContext(browser, testInfo);
  try {
    const hr = await context.newPage();
    let statusUrl = '';

    await test.step('HR signs in and opens the campaign', async () => {
      await signInAsHr(hr);
      await waitForHydration(hr);
      await openCampaign(hr);
      statusUrl = hr.url();
    });

    await test.step('the "已确认" filter shows confirmed candidates only', async () => {
      await hr.getByRole('link', { name: /^已确认/ }).click();
      await expect(hr).toHaveURL(/[?&]state=confirmed/);
      const rows = dataRows(hr);
      await expect(rows.first()).toBeVisible();
      await expect(rows.filter({ hasNotText: '已确认' })).toHaveCount(0);
      await expect(rows.filter({ hasText: '已谢绝' })).toHaveCount(0);
    });

    await test.step(`${confirmer.name}'s row says 已确认 with the time`, async () => {
      await hr.goto(statusUrl);
      await searchStatus(hr, confirmer.name);
      const row = rowOf(hr, confirmer.name);
      await expect(row).toContainText('已确认');
      await expect(row).toContainText(TIME_RANGE);
    });

    await test.step(`${decliner.name}'s row says 已谢绝 and 时间冲突`, async () => {
      await hr.goto(statusUrl);
      await searchStatus(hr, decliner.name);
      const row = rowOf(hr, decliner.name);
      await expect(row).toContainText('已谢绝');
      await expect(row).toContainText('时间冲突');
    });
  } finally {
    await context.close();
  }
});

test('HR can sign in and see the campaigns without JavaScript', async ({ browser }, testInfo) => {
  const context = await newContext(browser, testInfo, { javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await signInAsHr(page, { javaScript: false });
    await expect(page.getByRole('link', { name: demo().campaign_title, exact: true })).toBeVisible();
    await openCampaign(page);
    await expect(dataRows(page).first()).toBeVisible();
  } finally {
    await context.close();
  }
});

test('a wrong password is refused with "邮箱或密码不正确。"', async ({ page }) => {
  await page.goto(hrLoginPath());
  await waitForHydration(page);
  await page.getByLabel('邮箱').fill(demo().hr.email);
  await page.getByLabel('密码').fill(`${demo().hr.password}-wrong`);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '邮箱或密码不正确。' })).toBeVisible();
  await expect(page).toHaveURL(/\/hr\/login/);
  await expect(page.getByRole('heading', { name: '招聘批次' })).toHaveCount(0);
});

test('screenshots for people to look at', async ({ page, browser }, testInfo) => {
  const c = candidate(7, testInfo.project.name);

  await test.step('invitation, before and after confirming', async () => {
    await page.goto(c.path);
    await waitForHydration(page);
    await saveScreenshot(page, testInfo, 'invitation-before');
    await confirmSlot(page, await roomySlot(page));
    await saveScreenshot(page, testInfo, 'invitation-after');
  });

  await test.step('invalid link', async () => {
    const response = await page.goto(`/i/${randomToken()}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: '此链接无效' })).toBeVisible();
    await saveScreenshot(page, testInfo, 'invalid-link');
  });

  await test.step('HR status page', async () => {
    const context = await newContext(browser, testInfo);
    try {
      const hr = await context.newPage();
      await signInAsHr(hr);
      await waitForHydration(hr);
      await openCampaign(hr);
      await expect(dataRows(hr).first()).toBeVisible();
      await saveScreenshot(hr, testInfo, 'hr-status');
    } finally {
      await context.close();
    }
  });
});
