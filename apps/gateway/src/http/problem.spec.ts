import { HttpException, NotFoundException } from '@nestjs/common';
import { ConflictError, InternalError, RuleViolation, UnavailableError, ValidationError } from '@orch/errors';
import { toProblem } from './problem';

const fastifyError = (code: string, statusCode: number) => Object.assign(new Error(code), { name: 'FastifyError', code, statusCode });
const wrapped = (cause: Error & { statusCode: number }) => new HttpException(cause.message, cause.statusCode, { cause });

describe('toProblem', () => {
  describe('for our own errors', () => {
    it('keeps code, title, status and detail, and the request as instance', () => {
      expect(toProblem(new ConflictError('TASK.EXISTS', 'TSK-1 exists already'), '/api/v1/tasks', 'c1')).toEqual({
        type: 'urn:orch:problem:TASK.EXISTS',
        title: 'Conflict',
        status: 409,
        code: 'TASK.EXISTS',
        detail: 'TSK-1 exists already',
        instance: '/api/v1/tasks',
      });
    });

    it('names each invalid field of a validation error', () => {
      const errors = [{ path: 'body.title', message: 'must not be empty' }, { path: 'query.limit', message: 'too big' }];
      const problem = toProblem(new ValidationError('REQUEST.INVALID', 'Invalid request', errors), '/x', 'c1');
      expect(problem).toMatchObject({ status: 400, code: 'REQUEST.INVALID', errors });
    });

    it('lists what is missing when a rule is violated', () => {
      const missing = [{ kind: 'artifact', name: 'CHANGES.md', hint: 'write it' }];
      expect(toProblem(new RuleViolation('SESSION.PHASE_REQUIREMENTS_MISSING', 'gate', missing), '/x', 'c1')).toMatchObject({ status: 422, missing });
    });

    it('says which dependency is down with a 503', () => {
      const problem = toProblem(new UnavailableError('SERVICE.UNAVAILABLE', 'The planner service is not running'), '/x', 'c1');
      expect(problem).toMatchObject({ status: 503, code: 'SERVICE.UNAVAILABLE', detail: 'The planner service is not running' });
      expect(problem.unexpected).toBeUndefined();
    });

    it('hides the detail of an internal error from a service', () => {
      const problem = toProblem(new InternalError('RPC.BAD_REPLY', 'column "x" does not exist'), '/x', 'corr-9');
      expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', unexpected: true });
      expect(problem.detail).not.toContain('column');
      expect(problem.detail).toContain('corr-9');
    });
  });

  it('answers anything unknown with a 500 INTERNAL that leaks nothing', () => {
    const problem = toProblem(new TypeError("Cannot read properties of undefined (reading 'secret')"), '/x', 'corr-1');
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', title: 'Internal error', unexpected: true });
    expect(problem.detail).not.toMatch(/secret|undefined/);
  });

  describe('for errors of the HTTP layer', () => {
    it.each([
      ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413, 'REQUEST.TOO_LARGE'],
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'],
      ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400, 'REQUEST.MALFORMED_JSON'],
      ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 400, 'REQUEST.MALFORMED_JSON'],
    ])('maps %s to %i %s', (code, statusCode, status, ours) => {
      expect(toProblem(wrapped(fastifyError(code, statusCode)), '/x', 'c')).toMatchObject({ status, code: ours });
    });

    it('maps a JSON syntax error of the body parser to REQUEST.MALFORMED_JSON', () => {
      const syntax = Object.assign(new SyntaxError('Unexpected token b in JSON at position 1'), { statusCode: 400 });
      expect(toProblem(syntax, '/x', 'c')).toMatchObject({ status: 400, code: 'REQUEST.MALFORMED_JSON' });
    });

    it('maps an unknown route to ROUTE.NOT_FOUND', () => {
      expect(toProblem(new NotFoundException('Cannot GET /nope'), '/nope', 'c')).toMatchObject({ status: 404, code: 'ROUTE.NOT_FOUND', instance: '/nope' });
    });

    it('keeps another 4xx of the HTTP layer as it is, with a stable code', () => {
      expect(toProblem(new HttpException('Method Not Allowed', 405), '/x', 'c')).toMatchObject({ status: 405, code: 'HTTP.405', title: 'Method Not Allowed' });
    });
  });
});
