import { firstProjectFrame, inProject, parseFrames, relativePath } from './frame';

describe('parseFrames', () => {
  it('reads V8 frames with and without a function name', () => {
    expect(parseFrames('Error: x\n    at run (/p/src/a.ts:3:9)\n    at /p/src/b.ts:4:1\n    at async go (file:///p/src/c.js:5:2)')).toEqual([
      { fn: 'run', path: '/p/src/a.ts', line: 3 },
      { fn: '', path: '/p/src/b.ts', line: 4 },
      { fn: 'go', path: 'file:///p/src/c.js', line: 5 },
    ]);
  });
  it('reads Python frames innermost first', () => {
    const frames = parseFrames('Traceback (most recent call last):\n  File "/p/a.py", line 1, in outer\n  File "/p/b.py", line 2, in inner\nKeyError: 1');
    expect(frames.map((f) => f.fn)).toEqual(['inner', 'outer']);
  });
  it('reads PHP frames', () => expect(parseFrames('#0 /var/www/src/A.php(42): App\\A->b()')).toEqual([{ fn: 'App\\A->b', path: '/var/www/src/A.php', line: 42 }]));
});

describe('inProject', () => {
  it.each(['/p/node_modules/x/i.js', 'node:internal/modules/cjs/loader', '/usr/lib/python3/site-packages/x.py', '/var/www/vendor/a/b.php', '<anonymous>'])('skips %s', (path) => {
    expect(inProject({ fn: 'f', path, line: 1 })).toBe(false);
  });
  it('skips absolute paths outside the project root', () => expect(inProject({ fn: 'f', path: '/elsewhere/a.ts', line: 1 }, '/p')).toBe(false));
  it('keeps the project code', () => expect(inProject({ fn: 'f', path: '/p/src/a.ts', line: 1 }, '/p')).toBe(true));
});

describe('relativePath', () => {
  it('is relative to the project root', () => expect(relativePath('file:///p/src/a.ts', '/p')).toBe('src/a.ts'));
  it('strips a checkout prefix without a root', () => expect(relativePath('/home/x/wt-3/src/a.ts')).toBe('src/a.ts'));
  it('keeps relative paths', () => expect(relativePath('./lib/a.ts')).toBe('lib/a.ts'));
  it('keeps only the file name of an unknown absolute path', () => expect(relativePath('/tmp/x/run.sh')).toBe('run.sh'));
});

describe('firstProjectFrame', () => {
  const stack = 'Error: x\n    at dep (/p/node_modules/d/i.js:1:1)\n    at Object.<anonymous> (node:internal/x:1:1)\n    at save [as persist] (/p/src/repo.ts:12:3)';
  it('takes the first frame that is the project code, without its line in the identity', () => {
    expect(firstProjectFrame(stack, 'src/other.ts', '/p')).toEqual({ fn: 'save', path: 'src/repo.ts', line: 12 });
  });
  it('falls back to the file argument', () => expect(firstProjectFrame('garbage', '/p/src/a.ts', '/p')).toEqual({ fn: '', path: 'src/a.ts', line: null }));
  it('is null with neither', () => expect(firstProjectFrame(null, null)).toBeNull());
});
