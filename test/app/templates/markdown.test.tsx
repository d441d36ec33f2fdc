import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown, safeHref } from "#app/components/templates/markdown";

const render = (source: string) => renderToStaticMarkup(<Markdown source={source} />);

describe("Markdown (a template's readme)", () => {
  it("renders headings, emphasis, lists, code and tables", () => {
    const html = render("# Support agent\n\nAnswers **politely** with *memory*.\n\n- one\n- two\n\n1. first\n\n```\nlet a = 1 < 2;\n```\n\n| a | b |\n|---|---|\n| 1 | `x` |");
    expect(html).toContain('<h2 class="text-lg font-semibold text-slate-900">Support agent</h2>');
    expect(html).toContain('<strong class="font-semibold text-slate-900">politely</strong>');
    expect(html).toContain("<em>memory</em>");
    expect(html).toContain("<li>one</li><li>two</li>");
    expect(html).toMatch(/<ol[^>]*><li>first<\/li><\/ol>/);
    expect(html).toContain("<code>let a = 1 &lt; 2;</code>");
    expect(html).toMatch(/<td class="px-2 py-1"><code[^>]*>x<\/code><\/td>/);
  });

  it("never turns raw HTML into elements: it is shown as text", () => {
    const html = render('Hello <script>alert(1)</script> <img src=x onerror="alert(2)">\n\n<div onclick="steal()">block</div>');
    expect(html).not.toMatch(/<script|<img|<div onclick/i);
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
    expect(html).toContain("&lt;div onclick=&quot;steal()&quot;&gt;block&lt;/div&gt;");
  });

  it("keeps only safe links; a javascript: link becomes its text; images are links, never loaded", () => {
    const html = render("[docs](https://example.com/a) [bad](javascript:alert(1)) [data](data:text/html,x) ![diagram](https://example.com/d.png)");
    expect(html).toContain('<a href="https://example.com/a" class="text-brand-700 underline" target="_blank" rel="noopener noreferrer nofollow">docs</a>');
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("data:text");
    expect(html).toContain(" bad ");
    expect(html).not.toContain("<img");
    expect(html).toContain('href="https://example.com/d.png"');
    expect(html).toContain("Image: diagram");
  });
});

describe("safeHref", () => {
  it("allows web, mail and same-site addresses only", () => {
    expect(safeHref("https://skyloom.dev")).toBe("https://skyloom.dev");
    expect(safeHref(" mailto:a@b.c ")).toBe("mailto:a@b.c");
    expect(safeHref("/templates")).toBe("/templates");
    expect(safeHref("#setup")).toBe("#setup");
    expect(safeHref("//evil.example")).toBeNull();
    expect(safeHref("JavaScript:alert(1)")).toBeNull();
    expect(safeHref("vbscript:x")).toBeNull();
  });
});
