import type { BugCategory } from '@orch/contracts';

/**
 * First match wins. The specific causes (a timeout, a permission, a missing dependency) come before
 * the broad families (database, runtime), because a statement timeout is a database error too, but
 * what helps an agent is "timeout".
 */
const RULES: Array<{ category: Exclude<BugCategory, 'unknown'>; classes?: RegExp; text?: RegExp }> = [
  { category: 'assertion', classes: /^(?:Assertion(?:Error|Failed)?|AssertError|ExpectationFailedException|JestAssertionError)$/, text: /\bERR_ASSERTION\b|\bexpect\(.*\)\.|\bAssertionError\b/ },
  { category: 'syntax', classes: /^(?:SyntaxError|ParseError|IndentationError|TabError)$/, text: /\bsyntax error\b|\bSQLSTATE\W*42601\b|\b42601\b|\bTS1\d{3}\b|\bunexpected token\b|\bUnexpected end of (?:JSON )?input\b/i },
  { category: 'timeout', classes: /^(?:TimeoutError|TimeoutException|ReadTimeout|ConnectTimeout|TimeoutExpired|ConnectTimeoutError)$/, text: /\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|\btimed? ?out\b|\bdeadline exceeded\b|\b57014\b|statement timeout|\bexit(?:ed)? (?:with )?(?:code|status) 124\b|\bSIGALRM\b/i },
  { category: 'permission', classes: /^(?:PermissionError|AccessDenied\w*|UnauthorizedException|ForbiddenException|AuthorizationException)$/, text: /\bEACCES\b|\bEPERM\b|permission denied|\b42501\b|access denied|\bstatus code 40[13]\b|\b40[13] (?:Unauthorized|Forbidden)\b|\bexit(?:ed)? (?:with )?(?:code|status) 126\b|\bnot permitted\b/i },
  { category: 'dependency', classes: /^(?:ModuleNotFoundError|ImportError|DistributionNotFound)$/, text: /Cannot find module|\bMODULE_NOT_FOUND\b|\bERR_MODULE_NOT_FOUND\b|\bERESOLVE\b|command not found|\bClass "[^"]+" not found|\bexit(?:ed)? (?:with )?(?:code|status) 127\b|\bTS2307\b|No module named|could not resolve dependencies|peer dep/i },
  { category: 'reference', classes: /^(?:ReferenceError|NameError|UnboundLocalError)$/, text: /\bis not defined\b|\bundefined (?:variable|constant|index|function|method)\b|Call to undefined\b|\bTS2304\b/i },
  { category: 'type', classes: /^(?:TypeError|AttributeError|TypeScriptError)$/, text: /\bis not a function\b|Cannot read propert(?:y|ies) of (?:undefined|null)\b|\bTS2\d{3}\b|\bnot assignable to\b/i },
  { category: 'validation', classes: /^(?:ValidationError|ValueError|ZodError|ValidatorError|InvalidArgumentException|UnprocessableEntityException|BadRequestException)$/, text: /\binvalid input\b|\bvalidation failed\b|\bstatus code 4(?:00|22)\b|\bSQLSTATE\W*22\w{3}\b|\binvalid (?:value|argument|format)\b/i },
  { category: 'network', classes: /^(?:ConnectionError|ConnectionRefusedError|ConnectionResetError|FetchError|NetworkError|RequestException|ConnectError)$/, text: /\bECONNREFUSED\b|\bECONNRESET\b|\bENOTFOUND\b|\bEAI_AGAIN\b|\bEHOSTUNREACH\b|\bENETUNREACH\b|\bEPIPE\b|socket hang up|fetch failed|\bstatus code 5\d\d\b|\b50[234] (?:Bad Gateway|Service Unavailable|Gateway)|Could not resolve host/i },
  { category: 'database', classes: /^(?:DatabaseError|QueryFailedError|IntegrityError|OperationalError|ProgrammingError|PDOException|QueryException|PostgresError|DataError|UniqueViolation|ForeignKeyViolation|EntityNotFoundError)$/, text: /\bSQLSTATE\b|\brelation "[^"]*" does not exist\b|\bviolates (?:unique|foreign key|not-null|check) constraint\b|\bcolumn "[^"]*"|\bdeadlock detected\b|\bduplicate key\b/i },
  { category: 'runtime', classes: /^(?:RangeError|RuntimeError|KeyError|IndexError|ZeroDivisionError|DivisionByZeroError|OverflowError|RecursionError|MemoryError|ArithmeticError|ErrorException|Error|LookupError|StopIteration|InternalError|EvalError|URIError|PHPError|AggregateError|FileNotFoundError|OSError|IOError|SystemError)$/, text: /\bENOENT\b|\bEEXIST\b|\bSIGSEGV\b|\bSIGKILL\b|\bSIGABRT\b|out of memory|Maximum call stack|\bexit(?:ed)? (?:with )?(?:code|status) 1(?:3[79])?\b/i },
];

/** The category of an error from its class, its template and its stack (class names, SQLSTATEs, errno names, exit codes). */
export function classify(errorClass: string, text: string): BugCategory {
  const bare = errorClass === 'Error' || errorClass === 'PHPError';
  for (const rule of RULES) {
    if (!bare && rule.classes?.test(errorClass)) return rule.category;
    if (rule.text?.test(text)) return rule.category;
  }
  return bare ? 'runtime' : errorClass === 'DatabaseError' ? 'database' : 'unknown';
}
