import { readFileSync } from 'node:fs';
import { generate, GENERATED, typeOf } from './api-types';

describe('the CLI\'s API types', () => {
  it('are what the gateway\'s OpenAPI document gives today (run `npm run gen:api` after changing a route)', () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(generate());
  });

  it.each([
    { schema: { type: 'string' }, type: 'string' },
    { schema: { type: ['string', 'null'] }, type: 'string | null' },
    { schema: { enum: ['HIGH', 'LOW'] }, type: '"HIGH" | "LOW"' },
    { schema: { type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'string' }] } }, type: '(number | string)[]' },
    { schema: { $ref: '#/components/schemas/TaskView' }, type: 'components["schemas"]["TaskView"]' },
    { schema: { type: 'object', properties: { a: { type: 'number' }, 'b-c': { type: 'boolean' } }, required: ['a'] }, type: '{\n  a: number;\n  "b-c"?: boolean;\n}' },
    { schema: { type: 'object', additionalProperties: { type: 'number' } }, type: '{\n  [key: string]: number;\n}' },
  ])('turn $schema into $type', ({ schema, type }) => {
    expect(typeOf(schema)).toBe(type);
  });
});
