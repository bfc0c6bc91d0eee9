import { expect, test, type Page } from '@playwright/test';
import { candidate, demo, newContext, saveScreenshot, searchStatus, signInAsHr, waitForHydration } from './helpers';

// Candidate indices (see `candidate()` in helpers.ts): test indices 17–19 are used here.

/** Today's call list, reached from HR's campaign list. */
async function openCallList(page: Page): Promise<void> {
  await page.getByRole('link', { name: '今日电话跟进' }).first().click();
  await expect(page).toHaveURL(/\/hr\/calls$/);
  await expect(page.getByRole('heading', { level: 1, name: '今日电话跟进' })).toBeVisible();
}

function callItem(page: Page, name: string) {
  return page.locator('li.call').filter({ has: page.getByRole('link', { name, exact: true }) });
}

test('a high-risk candidate is on today\'s call list with reasons and leaves it after a call', async ({ page }, testInfo) => {
  // The demo invites its at-risk pair so that their window closes at the end of the server's
  // day in Shanghai, whatever the hour; `scripts/e2e-server.sh` starts the server's clock at
  // 23:30 there, so this covers the late evening too (the window closes 30 minutes in).
  // Each project calls its own at-risk candidate.
  const name = demo().at_risk[testInfo.project.name === 'desktop' ? 1 : 0];
  await signInAsHr(page);
  await openCallList(page);
  await waitForHydration(page);

  const item = callItem(page, name);
  await expect(item).toBeVisible();
  await expect(item).toContainText('出勤风险高');
  await expect(item).toContainText('确认期限将在 24 小时内截止');
  await expect(item.locator('.badge.risk-high')).toBeVisible();
  // The model's own reasons.
  await expect(item.locator('.reasons')).toContainText('邀请未打开');
  await saveScreenshot(page, testInfo, 'call-list');

  await test.step('no answer keeps them on the list', async () => {
    await item.getByLabel('通话结果').selectOption({ label: '无人接听' });
    await item.getByRole('button', { name: '记录' }).click();
    await expect(page.getByRole('status').filter({ hasText: '通话已记录' })).toBeVisible();
    await expect(callItem(page, name)).toBeVisible();
  });

  await test.step('reached: they leave today\'s list', async () => {
    const again = callItem(page, name);
    await again.getByLabel('通话结果').selectOption({ label: '已接通，确认参加' });
    await again.getByLabel('备注（选填）').fill('明天上午会登录确认时间');
    await again.getByRole('button', { name: '记录' }).click();
    await expect(callItem(page, name)).toHaveCount(0);
  });

  await test.step('the calls are on the candidate\'s page', async () => {
    await page.goto(`/hr/campaigns/${demo().campaign_id}`);
    await searchStatus(page, name);
    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page.locator('ul.calls')).toContainText('已接通，确认参加');
    await expect(page.locator('ul.calls')).toContainText('明天上午会登录确认时间');
    await expect(page.locator('ul.calls')).toContainText('无人接听');
    await expect(page.getByText('参加 0 次，缺席 1 次')).toBeVisible();
  });
});

test('a candidate reports a problem, and HR reads it and overrides the rating with a note', async ({ page, browser }, testInfo) => {
  const c = candidate(17, testInfo.project.name);

  await test.step('the candidate reports a camera problem', async () => {
    await page.goto(c.path);
    await waitForHydration(page);
    await page.getByRole('link', { name: '填写反馈或报告问题' }).click();
    await expect(page).toHaveURL(/\/invitation\/feedback$/);
    await waitForHydration(page);
    await expect(page.getByText('面试结束后即可在这里填写问卷')).toBeVisible();
    await page.getByLabel('问题涉及').selectOption({ label: '摄像头' });
    await page.getByLabel('发生了什么').fill('手机前置摄像头打开后是黑屏');
    await page.getByRole('button', { name: '提交问题报告' }).click();
    await expect(page.getByRole('status').filter({ hasText: '已收到您的问题报告' })).toBeVisible();
    await expect(page.getByLabel('发生了什么')).toHaveValue('手机前置摄像头打开后是黑屏');
    await saveScreenshot(page, testInfo, 'feedback');
  });

  const context = await newContext(browser, testInfo);
  try {
    const hr = await context.newPage();
    await signInAsHr(hr);
    await hr.getByRole('link', { name: demo().campaign_title, exact: true }).click();
    await searchStatus(hr, c.name);
    await hr.getByRole('link', { name: c.name, exact: true }).click();
    await expect(hr.getByRole('heading', { level: 1, name: c.name })).toBeVisible();
    await expect(hr.getByText('手机前置摄像头打开后是黑屏')).toBeVisible();
    await waitForHydration(hr);

    await test.step('an override needs a reason, then shows with it', async () => {
      await hr.getByText('调整评级').click();
      await hr.getByLabel('评级').selectOption({ label: '高' });
      await hr.getByLabel('原因（必填）').fill('电话中得知下周可能出差');
      await hr.getByRole('button', { name: '保存调整' }).click();
      await expect(hr.getByRole('status').filter({ hasText: '评级已调整' })).toBeVisible();
      await expect(hr.locator('.override')).toContainText('电话中得知下周可能出差');
      await expect(hr.locator('.risk .badge.risk-high')).toBeVisible();
      await saveScreenshot(hr, testInfo, 'hr-candidate');
    });

    await test.step('the campaign\'s feedback summary counts the report', async () => {
      await hr.goto(`/hr/campaigns/${demo().campaign_id}/feedback`);
      await expect(hr.getByRole('heading', { level: 1, name: '候选人反馈汇总' })).toBeVisible();
      await expect(hr.locator('.counted').first()).toContainText('摄像头');
      await saveScreenshot(hr, testInfo, 'hr-feedback');
    });

    await test.step('the model page shows what is in use', async () => {
      await hr.goto('/hr/risk');
      await expect(hr.getByRole('heading', { level: 1, name: '出勤风险模型' })).toBeVisible();
      await expect(hr.getByText(/训练至少需要 200 条面试结果/)).toBeVisible();
      await saveScreenshot(hr, testInfo, 'hr-model');
    });
  } finally {
    await context.close();
  }
});
