import { marked, type Tokens } from "marked";

/** A stretch of a document's text with where it came from: a PDF page or a heading path. */
export type Section = { text: string; page?: number; heading?: string };

/**
 * Cuts Markdown into sections at its headings, each carrying the path of headings above it
 * ("Setup › Linux"), so a chunk can cite where it came from. Text before the first heading is
 * a section without a heading.
 */
export function markdownSections(markdown: string): Section[] {
  const sections: Section[] = [];
  /** The current heading of each level, index = depth (1..6); a new heading drops deeper ones. */
  const levels: string[] = [];
  let heading = "";
  let current: string[] = [];
  const flush = () => {
    const text = current.join("").trim();
    if (text) sections.push(heading ? { text, heading } : { text });
    current = [];
  };
  for (const token of marked.lexer(markdown)) {
    if (token.type === "heading") {
      flush();
      const { depth, text } = token as Tokens.Heading;
      levels.length = depth;
      levels[depth] = text.trim();
      heading = levels.filter(Boolean).join(" › ");
    }
    current.push(token.raw);
  }
  flush();
  return sections;
}
