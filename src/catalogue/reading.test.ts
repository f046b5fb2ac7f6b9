import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { displayText, placeQuotations, readingBlocks } from './reading.ts'
import { locateExcerpt } from './guidance.ts'

describe('the guidance reading view', () => {
  it('finds an excerpt however its whitespace was wrapped', () => {
    const text = 'First line.\n\nMonitor login attempts and block\n  access after 10 attempts.'
    const found = locateExcerpt(text, 'Monitor login attempts and block access after 10 attempts.')
    assert.deepEqual(found, { start: 13, end: text.length })
  })

  it('matches a repeated sentence at the place each requirement quotes it, in reading order', () => {
    const text = 'Overwrite 3 times. Then shred. Overwrite 3 times.'
    const ranges = placeQuotations(text, [
      { id: 'A', statement: 'Overwrite 3 times.' },
      { id: 'B', statement: 'Then shred.' },
      { id: 'C', statement: 'Overwrite 3 times.' },
    ])
    assert.deepEqual(ranges, [
      { start: 0, end: 18, ids: ['A'] },
      { start: 19, end: 30, ids: ['B'] },
      { start: 31, end: 49, ids: ['C'] },
    ])
  })

  it('splits the text into headings and paragraphs with quoted runs marked', () => {
    const blocks = readingBlocks('Base principle\n\nData **must** be erased. Keep records.', [
      { id: 'DD-01', statement: 'Data **must** be erased.' },
    ])
    assert.deepEqual(blocks, [
      { kind: 'heading', segments: [{ text: 'Base principle', ids: [] }] },
      {
        kind: 'text',
        segments: [
          { text: 'Data must be erased.', ids: ['DD-01'] },
          { text: ' Keep records.', ids: [] },
        ],
      },
    ])
  })

  it('shows link text without the markdown around it', () => {
    assert.equal(
      displayText('See the [Access Control](#) guide \\(ACG\\) and **this**'),
      'See the Access Control guide (ACG) and this',
    )
  })
})
