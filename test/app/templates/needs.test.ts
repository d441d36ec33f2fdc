import { describe, expect, it } from "vitest";
import { credentialChoices, defaultPicks, distinctChips, needChip, planBindings, type CredentialOption, type TemplateNeed } from "#app/components/templates/needs";

const openaiNeed: TemplateNeed = { kind: "chat-model-credential", label: "Chat model key", provider: "openai", nodeIds: ["model", "judge"] };
const kbNeed: TemplateNeed = { kind: "knowledge-base", label: "Knowledge base", nodeIds: ["retriever"] };
const deployedNeed: TemplateNeed = { kind: "deployed-model", label: "Llama 3.1 8B", nodeIds: ["endpoint"] };
const secretNeed: TemplateNeed = { kind: "credential", label: "CRM token", nodeIds: ["http"] };

const groq: CredentialOption = { id: "c-groq", name: "Groq", kind: "openai", baseUrl: "https://api.groq.com/openai/v1" };
const openai: CredentialOption = { id: "c-openai", name: "OpenAI", kind: "openai", baseUrl: "" };
const token: CredentialOption = { id: "c-token", name: "CRM token", kind: "secret", baseUrl: "" };

describe("needChip", () => {
  it("says what a template needs in plain words", () => {
    expect(needChip(openaiNeed)).toBe("needs an OpenAI key");
    expect(needChip({ ...openaiNeed, provider: "groq" })).toBe("needs a Groq key");
    expect(needChip({ ...openaiNeed, provider: undefined })).toBe("needs a chat-model key");
    expect(needChip({ ...openaiNeed, provider: "acme" })).toBe("needs an acme key");
    expect(needChip(deployedNeed)).toBe("needs a deployed model");
    expect(needChip(kbNeed)).toBe("needs a knowledge base");
    expect(needChip({ ...openaiNeed, provider: "custom" })).toBe("needs an OpenAI-compatible key");
    expect(needChip(secretNeed)).toBe("needs a credential");
  });

  it("shows a need repeated by several blocks once", () => {
    expect(distinctChips([openaiNeed, { ...openaiNeed, nodeIds: ["other"] }, kbNeed])).toEqual(["needs an OpenAI key", "needs a knowledge base"]);
  });
});

describe("credentialChoices", () => {
  it("puts keys of the needed provider first (an empty base URL is OpenAI) and leaves secrets out", () => {
    expect(credentialChoices(openaiNeed, [groq, token, openai]).map((c) => c.id)).toEqual(["c-openai", "c-groq"]);
    expect(credentialChoices({ ...openaiNeed, provider: "groq" }, [openai, groq]).map((c) => c.id)).toEqual(["c-groq", "c-openai"]);
  });

  it("offers secrets first for a plain credential, and nothing for a knowledge base", () => {
    expect(credentialChoices(secretNeed, [openai, token]).map((c) => c.id)).toEqual(["c-token", "c-openai"]);
    expect(credentialChoices(kbNeed, [openai, token])).toEqual([]);
  });
});

describe("defaultPicks", () => {
  it("preselects a key of the right provider only, the only knowledge base, and nothing for a deployed model", () => {
    expect(defaultPicks([openaiNeed, kbNeed, deployedNeed], [groq, openai], [{ id: "kb1", name: "Docs" }])).toEqual(["c-openai", "kb1", undefined]);
    // A Groq key is offered for an OpenAI need, but not chosen for the person.
    expect(defaultPicks([openaiNeed], [groq], [])).toEqual([undefined]);
    // Two knowledge bases: the person chooses.
    expect(defaultPicks([kbNeed], [], [{ id: "a", name: "A" }, { id: "b", name: "B" }])).toEqual([undefined]);
  });
});

describe("planBindings", () => {
  it("binds every block of an answered need and reports the unanswered ones", () => {
    expect(planBindings([openaiNeed, kbNeed, deployedNeed], ["c-openai", undefined, undefined])).toEqual({
      bindings: [
        { nodeId: "model", credentialId: "c-openai" },
        { nodeId: "judge", credentialId: "c-openai" },
      ],
      unanswered: [1],
    });
  });

  it("binds nothing for 'not now' and knowledge bases by knowledgeBaseId", () => {
    expect(planBindings([openaiNeed, kbNeed], ["", "kb1"])).toEqual({ bindings: [{ nodeId: "retriever", knowledgeBaseId: "kb1" }], unanswered: [] });
  });
});
