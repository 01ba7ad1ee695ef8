import { execFile } from 'node:child_process';
import { discoverEndpoints } from '../http/discovery';
import { buildOpenApiDocument } from '../openapi/document';
import { MeController } from './me.controller';
import { SessionsController } from './sessions.controller';
import { TaskGitController } from './task-git.controller';

/** swagger-parser in a plain Node process (its ESM dependency does not load under jest on Node 20). */
function validate(doc: unknown): Promise<string> {
  const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('@apidevtools/swagger-parser').validate(JSON.parse(s)).then(a=>console.log('valid '+a.openapi),e=>{console.error(e.message);process.exit(1)}))`;
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', script], { cwd: process.cwd() }, (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim())));
    child.stdin!.end(JSON.stringify(doc));
  });
}

describe('the session routes in the OpenAPI document', () => {
  it('are all documented from their zod schemas, and the document validates', async () => {
    const doc = buildOpenApiDocument(discoverEndpoints([SessionsController, MeController, TaskGitController]), { version: 'test' });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/sessions', '/api/v1/sessions/{key}/phase-complete', '/api/v1/me/context', '/api/v1/me/notes', '/api/v1/tasks/{code}/pull-request', '/api/v1/tasks/{code}/changes.md']),
    );
    const complete = (doc.paths['/api/v1/sessions/{key}/phase-complete'] as any).post;
    expect(Object.keys(complete.responses)).toEqual(expect.arrayContaining(['200', '403', '409', '422']));
    await expect(validate(doc)).resolves.toBe('valid 3.1.0');
  });
});
