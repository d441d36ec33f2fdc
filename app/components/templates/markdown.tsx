import { marked, type Token, type Tokens } from "marked";
import { Fragment, useMemo, type ReactNode } from "react";

/**
 * A template's readme, rendered from Markdown without ever handing HTML to the browser:
 * `marked` only splits the text into tokens, and each token becomes a React element, so
 * React escapes every text. Raw HTML in the readme is shown as the text it is; links keep only
 * http(s), mailto and same-site addresses; images are shown as links (no request to a
 * third-party host on opening a template).
 */
export function Markdown({ source, className = "" }: { source: string; className?: string }) {
  const tokens = useMemo(() => marked.lexer(source), [source]);
  return <div className={`space-y-3 text-sm leading-relaxed text-slate-700 ${className}`}>{blocks(tokens)}</div>;
}

/** A link target that is safe to follow, or null (javascript:, data:, vbscript: …). */
export function safeHref(href: string): string | null {
  const trimmed = href.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (/^(\/(?!\/)|#)/.test(trimmed)) return trimmed;
  return null;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
/** marked leaves a few entities in text; React would show them literally. */
function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}

const HEADINGS = ["h2", "h3", "h4", "h5", "h6", "h6"] as const;
const HEADING_CLASSES = ["text-lg font-semibold text-slate-900", "text-base font-semibold text-slate-900", "font-semibold text-slate-900"];

function blocks(tokens: readonly Token[]): ReactNode {
  return tokens.map((t, i) => <Fragment key={i}>{block(t)}</Fragment>);
}

function block(token: Token): ReactNode {
  switch (token.type) {
    case "space":
    case "def":
      return null;
    case "heading": {
      const t = token as Tokens.Heading;
      // The dialog's own title is the h1/h2; a readme's "#" starts one level below.
      const Tag = HEADINGS[Math.min(5, t.depth - 1)] ?? "h6";
      return <Tag className={HEADING_CLASSES[Math.min(2, t.depth - 1)]}>{inline(t.tokens)}</Tag>;
    }
    case "paragraph":
      return <p>{inline((token as Tokens.Paragraph).tokens)}</p>;
    case "text": {
      const t = token as Tokens.Text;
      return <p>{t.tokens ? inline(t.tokens) : decode(t.text)}</p>;
    }
    case "code":
      return (
        <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      );
    case "blockquote":
      return <blockquote className="border-l-4 border-slate-200 pl-3 text-slate-600">{blocks((token as Tokens.Blockquote).tokens)}</blockquote>;
    case "list":
      return list(token as Tokens.List);
    case "hr":
      return <hr className="border-slate-200" />;
    case "table":
      return table(token as Tokens.Table);
    case "html":
      return <p className="whitespace-pre-wrap font-mono text-xs text-slate-500">{(token as Tokens.HTML).text}</p>;
    default:
      return "tokens" in token && Array.isArray(token.tokens) ? <p>{inline(token.tokens as Token[])}</p> : <p>{decode(token.raw)}</p>;
  }
}

function list(token: Tokens.List): ReactNode {
  const items = token.items.map((item, i) => (
    <li key={i}>
      {item.task && <input type="checkbox" checked={item.checked ?? false} readOnly disabled className="mr-1 align-middle" aria-label={item.checked ? "done" : "to do"} />}
      {/* A tight list's items hold bare text; a loose one's hold paragraphs. */}
      {item.tokens.map((t, j) => <Fragment key={j}>{t.type === "text" ? inline((t as Tokens.Text).tokens ?? [t]) : block(t)}</Fragment>)}
    </li>
  ));
  return token.ordered ? (
    <ol className="list-decimal space-y-1 pl-5" start={typeof token.start === "number" ? token.start : undefined}>
      {items}
    </ol>
  ) : (
    <ul className="list-disc space-y-1 pl-5">{items}</ul>
  );
}

function table(token: Tokens.Table): ReactNode {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-left text-xs">
        <thead className="border-b border-slate-200">
          <tr>
            {token.header.map((cell, i) => (
              <th key={i} className="px-2 py-1 font-semibold">
                {inline(cell.tokens)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {token.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, c) => (
                <td key={c} className="px-2 py-1">
                  {inline(cell.tokens)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function inline(tokens: readonly Token[]): ReactNode {
  return tokens.map((t, i) => <Fragment key={i}>{span(t)}</Fragment>);
}

function span(token: Token): ReactNode {
  switch (token.type) {
    case "text":
    case "escape": {
      const t = token as Tokens.Text;
      return t.tokens ? inline(t.tokens) : decode(t.text);
    }
    case "strong":
      return <strong className="font-semibold text-slate-900">{inline((token as Tokens.Strong).tokens)}</strong>;
    case "em":
      return <em>{inline((token as Tokens.Em).tokens)}</em>;
    case "del":
      return <del>{inline((token as Tokens.Del).tokens)}</del>;
    case "codespan":
      return <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.85em]">{decode((token as Tokens.Codespan).text)}</code>;
    case "br":
      return <br />;
    case "link": {
      const t = token as Tokens.Link;
      const href = safeHref(t.href);
      if (!href) return inline(t.tokens);
      return (
        <a href={href} className="text-brand-700 underline" target="_blank" rel="noopener noreferrer nofollow">
          {inline(t.tokens)}
        </a>
      );
    }
    case "image": {
      const t = token as Tokens.Image;
      const href = safeHref(t.href);
      const label = `Image: ${t.text || t.href}`;
      return href ? (
        <a href={href} className="text-brand-700 underline" target="_blank" rel="noopener noreferrer nofollow">
          {label}
        </a>
      ) : (
        label
      );
    }
    case "html":
      // Raw HTML is shown as the text it is, never interpreted.
      return (token as Tokens.HTML).text;
    default:
      return decode(token.raw);
  }
}
