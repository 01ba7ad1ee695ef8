import { classify } from './classify';

describe('classify', () => {
  it.each([
    ['AssertionError', 'expected 1 to equal 2', 'assertion'],
    ['SyntaxError', 'Unexpected token }', 'syntax'],
    ['DatabaseError', 'syntax error at or near "FORM"', 'syntax'],
    ['TypeError', 'x is not a function', 'type'],
    ['TypeScriptError', 'error TS2322: Type', 'type'],
    ['ReferenceError', 'x is not defined', 'reference'],
    ['NameError', "name 'x' is not defined", 'reference'],
    ['RangeError', 'Invalid array length', 'runtime'],
    ['KeyError', "'x'", 'runtime'],
    ['DatabaseError', 'duplicate key value violates unique constraint "k"', 'database'],
    ['PDOException', 'SQLSTATE[23000]', 'database'],
    ['Error', 'connect ECONNREFUSED <ip>:5432', 'network'],
    ['Error', 'connect ETIMEDOUT <ip>:443', 'timeout'],
    ['QueryFailedError', 'canceling statement due to statement timeout', 'timeout'],
    ['Error', "EACCES: permission denied, open 'x'", 'permission'],
    ['DatabaseError', 'permission denied for table tasks', 'permission'],
    ['ZodError', 'Required', 'validation'],
    ['ValueError', 'invalid literal', 'validation'],
    ['Error', "Cannot find module 'x'", 'dependency'],
    ['Error', 'bash: jq: command not found', 'dependency'],
    ['Error', 'Command failed with exit code 127', 'dependency'],
    ['Error', 'Command failed with exit code 124', 'timeout'],
    ['Error', 'Command failed with exit code 137', 'runtime'],
    ['Error', 'boom', 'runtime'],
    ['WeirdThing', 'boom', 'unknown'],
  ])('%s "%s" is %s', (cls, text, category) => expect(classify(cls, text)).toBe(category));
});
