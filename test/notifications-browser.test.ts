import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildPerson } from './helpers/people.ts'
import { notifyPeople } from '../src/notifications/notifications.ts'

describe('notifications in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let page: Page

  before(async () => {
    if (browser === undefined) return
    const { db } = suite.services.store
    const person = await buildPerson(db, { roles: ['supplier-admin'] })
    await db.transaction().execute(async trx => {
      await notifyPeople(
        trx,
        {
          userIds: [person.id],
          title: 'Due in 7 days: Acknowledge the letter',
          body: 'Please acknowledge it.',
          link: '/',
        },
        new Date('2026-12-08T09:00:00.000Z'),
      )
      await notifyPeople(
        trx,
        { userIds: [person.id], title: 'Overdue: Confirm personnel briefed', body: 'It was due yesterday.' },
        new Date('2026-12-09T09:00:00.000Z'),
      )
    })
    page = await suite.pageFor(person.id)
  })
  it('shows the unread count, marks one and then all read, accessibly', { skip: browser === undefined }, async () => {
    await page.goto(`${suite.baseUrl}/`)
    await page.getByRole('link', { name: 'Notifications (2 unread)' }).click()
    await verifyOnPage(page, 'Notifications')
    await expectAccessible(page, 'notifications-unread')
    await page.getByRole('button', { name: /^Mark as read\s*: Overdue: Confirm personnel briefed$/ }).click()
    // The page before had the same heading: wait for the redirect, not just for a heading.
    await page.waitForURL(/\/notifications\?read=one$/)
    await verifyOnPage(page, 'Notifications')
    assert.equal(await page.getByText('Notification marked as read').count(), 1)
    assert.equal(await page.getByRole('link', { name: 'Notifications (1 unread)' }).count(), 1)
    await expectAccessible(page, 'notifications-one-read')
    await page.getByRole('button', { name: 'Mark all as read' }).click()
    await page.waitForURL(/\/notifications\?read=all$/)
    assert.equal(await page.getByText('All notifications marked as read').count(), 1)
    assert.equal(await page.getByRole('link', { name: 'Notifications', exact: true }).count(), 1)
    assert.equal(await page.getByRole('button', { name: /Mark/ }).count(), 0)
    await expectAccessible(page, 'notifications-all-read')
  })
})
