import * as ts from 'typescript';

/** One place where a CLI source talks to the gateway around the typed client. */
export interface RawCall {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** The typed client's methods (openapi-fetch): their first argument is checked against the API. */
const TYPED = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE']);

/** A gateway route: `/api/…`, `/ready`, `/health`, `/metrics`, `/openapi.json`, `/docs`, maybe after `${base}` or a host. */
const GATEWAY_PATH = /^(?:\$\{\}|https?:\/\/[^/\s]+)?\/(?:api\/|ready\b|health\b|metrics\b|openapi\.json\b|docs\b)/;

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => '${}' + s.literal.text).join('');
  return undefined;
}

/** A plain literal as the first argument of `.GET(…)`, `.POST(…)`, …: the one allowed spelling of a path. */
function isTypedCallPath(node: ts.Node): boolean {
  const call = node.parent;
  return (
    (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) &&
    call !== undefined &&
    ts.isCallExpression(call) &&
    call.arguments[0] === node &&
    ts.isPropertyAccessExpression(call.expression) &&
    TYPED.has(call.expression.name.text)
  );
}

function isFetchCall(node: ts.Node): boolean {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  return (ts.isIdentifier(callee) && callee.text === 'fetch') || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'fetch');
}

/**
 * Every string that spells a gateway path anywhere but as the first argument of a typed call
 * (a path builder, `client.get('/api/…')`, `fetch(\`${url}/api/…\`)`, `new URL('/ready', …)`),
 * and every direct `fetch(…)`. Comments and prose (`'GET /ready: …'`) are not paths.
 */
export function rawGatewayCalls(source: string, file = 'source.ts'): RawCall[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: RawCall[] = [];
  const add = (node: ts.Node, why: string) =>
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: node.getText(sf).slice(0, 120), why });
  const visit = (node: ts.Node): void => {
    const text = literalText(node);
    if (text !== undefined && GATEWAY_PATH.test(text) && !isTypedCallPath(node)) add(node, 'a gateway path outside a typed call (use ctx.client().api.GET/POST/… with the route as the API spells it)');
    else if (isFetchCall(node)) add(node, 'fetch() called directly (go through GatewayClient.api)');
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}
