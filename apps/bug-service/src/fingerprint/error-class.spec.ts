import { DEFAULT_ERROR_CLASS, extractErrorClass } from './error-class';

describe('extractErrorClass', () => {
  it('reads a leading JavaScript or Python class and strips it from the message', () => {
    expect(extractErrorClass("TypeError: Cannot read properties of undefined (reading 'x')")).toEqual({ errorClass: 'TypeError', rest: "Cannot read properties of undefined (reading 'x')" });
  });
  it('reads a bare Error', () => expect(extractErrorClass('Error: boom')).toEqual({ errorClass: 'Error', rest: 'boom' }));
  it('drops module paths and namespaces', () => {
    expect(extractErrorClass('django.db.utils.IntegrityError: x').errorClass).toBe('IntegrityError');
    expect(extractErrorClass('Illuminate\\Database\\QueryException: x').errorClass).toBe('QueryException');
  });
  it('reads the class of an uncaught PHP error, and names PHP warnings', () => {
    expect(extractErrorClass('PHP Fatal error:  Uncaught TypeError: strlen() x')).toEqual({ errorClass: 'TypeError', rest: 'strlen() x' });
    expect(extractErrorClass('PHP Parse error: syntax error, unexpected')).toMatchObject({ errorClass: 'ParseError' });
    expect(extractErrorClass('PHP Warning:  Undefined variable $x')).toMatchObject({ errorClass: 'PHPError' });
  });
  it('names tsc diagnostics and keeps their code in the message', () => {
    expect(extractErrorClass('src/a.ts(1,2): error TS2339: Property')).toEqual({ errorClass: 'TypeScriptError', rest: 'error TS2339: Property' });
  });
  it('names Postgres errors', () => expect(extractErrorClass('ERROR:  relation "x" does not exist')).toEqual({ errorClass: 'DatabaseError', rest: 'relation "x" does not exist' }));
  it('reads the last line of a Python traceback', () => {
    expect(extractErrorClass('something broke', null, 'Traceback (most recent call last):\n  File "a.py", line 1, in f\nKeyError: 3').errorClass).toBe('KeyError');
  });
  it('prefers the class the caller gave', () => expect(extractErrorClass('TypeError: x', 'MyError')).toEqual({ errorClass: 'MyError', rest: 'x' }));
  it('falls back to Error', () => expect(extractErrorClass('bash: jq: command not found')).toEqual({ errorClass: DEFAULT_ERROR_CLASS, rest: 'bash: jq: command not found' }));
});
