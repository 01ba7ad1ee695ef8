import { NotFoundError, UnavailableError } from '@orch/errors';
import { asUnavailable } from './unavailable';

describe('errors of a dependency that went away', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a Postgres shutdown', Object.assign(new Error('terminating connection due to administrator command'), { driverError: { code: '57P01' } })],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['ioredis giving up while Redis restarts', Object.assign(new Error('Reached the max retries per request limit (which is 3).'), { name: 'MaxRetriesPerRequestError' })],
    ['a NATS request timing out while nats-server restarts', Object.assign(new Error('timeout'), { name: 'TimeoutError' })],
    ['a closed NATS connection', Object.assign(new Error('closed connection'), { name: 'ClosedConnectionError' })],
  ])('turns %s into a 503', (_what, error) => {
    expect(asUnavailable(error)).toBeInstanceOf(UnavailableError);
  });

  it('leaves domain errors and real bugs alone', () => {
    const notFound = new NotFoundError('TASK.NOT_FOUND', 'nope');
    const bug = new TypeError('x is undefined');
    expect(asUnavailable(notFound)).toBe(notFound);
    expect(asUnavailable(bug)).toBe(bug);
  });
});
