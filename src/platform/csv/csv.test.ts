import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { toCsv } from './csv.ts'

describe('CSV', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 says', () => {
    assert.equal(toCsv([['a,b', 'say "hi"', 'two\nlines', 3]]), '"a,b","say ""hi""","two\nlines",3\r\n')
  })

  it('defuses cells a spreadsheet would run as formulas', () => {
    assert.equal(toCsv([['=1+1', '+A1', '-2', '@SUM(A1)', 'safe']]), "'=1+1,'+A1,'-2,'@SUM(A1),safe\r\n")
  })
})
