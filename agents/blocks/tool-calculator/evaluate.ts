/**
 * A small arithmetic evaluator (recursive descent, no eval): numbers, + - * / % ^,
 * parentheses, unary minus, constants pi and e, and a few functions. Throws CalculatorError
 * with the position of the problem.
 */
export class CalculatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CalculatorError";
  }
}

const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  sqrt: Math.sqrt,
  abs: Math.abs,
  round: Math.round,
  floor: Math.floor,
  ceil: Math.ceil,
  log: Math.log,
  log10: Math.log10,
  exp: Math.exp,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  min: Math.min,
  max: Math.max,
  pow: Math.pow,
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };
const MAX_LENGTH = 1_000;
const MAX_DEPTH = 100;

type Token = { kind: "num"; value: number; at: number } | { kind: "id"; value: string; at: number } | { kind: "op"; value: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9.]/.test(c)) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) throw new CalculatorError(`Unexpected "${c}" at position ${i + 1}.`);
      tokens.push({ kind: "num", value: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: "id", value: m[0].toLowerCase(), at: i });
      i += m[0].length;
    } else if ("+-*/%^(),".includes(c)) {
      tokens.push({ kind: "op", value: c, at: i });
      i++;
    } else if (c === "×") {
      tokens.push({ kind: "op", value: "*", at: i });
      i++;
    } else if (c === "÷") {
      tokens.push({ kind: "op", value: "/", at: i });
      i++;
    } else {
      throw new CalculatorError(`Unexpected "${c}" at position ${i + 1}.`);
    }
  }
  return tokens;
}

export function evaluateExpression(expression: string): number {
  if (expression.length > MAX_LENGTH) throw new CalculatorError(`An expression is at most ${MAX_LENGTH} characters.`);
  const tokens = tokenize(expression);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => peek()?.kind === "op" && peek()?.value === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new CalculatorError(`Expected "${v}"${peek() ? ` at position ${(peek() as Token).at + 1}` : " at the end"}.`);
    pos++;
  };

  const expr = (): number => {
    if (++depth > MAX_DEPTH) throw new CalculatorError("The expression is nested too deeply.");
    let value = term();
    while (isOp("+") || isOp("-")) {
      const op = (tokens[pos++] as Token).value;
      const right = term();
      value = op === "+" ? value + right : value - right;
    }
    depth--;
    return value;
  };
  const term = (): number => {
    let value = unary();
    while (isOp("*") || isOp("/") || isOp("%")) {
      const op = (tokens[pos++] as Token).value;
      const right = unary();
      if ((op === "/" || op === "%") && right === 0) throw new CalculatorError("Division by zero.");
      value = op === "*" ? value * right : op === "/" ? value / right : value % right;
    }
    return value;
  };
  const unary = (): number => {
    if (isOp("-")) {
      pos++;
      return -unary();
    }
    if (isOp("+")) {
      pos++;
      return unary();
    }
    return power();
  };
  const power = (): number => {
    const base = primary();
    if (isOp("^")) {
      pos++;
      return Math.pow(base, unary()); // right-associative: 2^3^2 = 2^9
    }
    return base;
  };
  const primary = (): number => {
    const token = peek();
    if (!token) throw new CalculatorError("The expression ends too early.");
    if (token.kind === "num") {
      pos++;
      return token.value;
    }
    if (token.kind === "id") {
      pos++;
      const fn = FUNCTIONS[token.value];
      if (fn) {
        expect("(");
        const args = [expr()];
        while (isOp(",")) {
          pos++;
          args.push(expr());
        }
        expect(")");
        return fn(...args);
      }
      const constant = CONSTANTS[token.value];
      if (constant !== undefined) return constant;
      throw new CalculatorError(`Unknown name "${token.value}" at position ${token.at + 1}.`);
    }
    if (token.value === "(") {
      pos++;
      const value = expr();
      expect(")");
      return value;
    }
    throw new CalculatorError(`Unexpected "${token.value}" at position ${token.at + 1}.`);
  };

  if (tokens.length === 0) throw new CalculatorError("The expression is empty.");
  const result = expr();
  if (pos < tokens.length) throw new CalculatorError(`Unexpected "${(tokens[pos] as Token).value}" at position ${(tokens[pos] as Token).at + 1}.`);
  if (!Number.isFinite(result)) throw new CalculatorError("The result is not a finite number.");
  return result;
}
