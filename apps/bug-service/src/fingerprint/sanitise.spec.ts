import { firstLine, sanitise, truncate } from './sanitise';

describe('sanitise', () => {
  it('removes ANSI escapes and control characters but keeps tabs and newlines', () => expect(sanitise('\u001b[1;31ma\u0000\tb\r\nc\u007f')).toBe('a\tb\nc'));
  it('removes lone surrogates and replacement characters, keeps real emoji', () => expect(sanitise('a\uDC00\uFFFDb😀')).toBe('ab😀'));
});
describe('truncate', () => {
  it('leaves short text alone', () => expect(truncate('abc', 5)).toEqual({ text: 'abc', truncated: false }));
  it('cuts long text and says how much', () => expect(truncate('abcdef', 2)).toEqual({ text: 'ab\n… [truncated: 4 of 6 characters dropped]', truncated: true }));
});
describe('firstLine', () => {
  it('takes the first non-empty line with whitespace collapsed', () => expect(firstLine('\n  \n  a   b \nc')).toBe('a b'));
});
