import type { KnowledgeSearch } from "#agents/runtime/context";
import { BlockRunError } from "#agents/runtime/context";
import { DomainError } from "../services/errors";
import type { KnowledgeService } from "./service";

/**
 * The knowledge search a run's blocks get, bound to the run's team: a knowledge base id from
 * another team (a template, an imported flow) is "not in this team", never another team's
 * passages.
 */
export function knowledgeSearchForTeam(service: KnowledgeService, teamId: string): KnowledgeSearch {
  return {
    async search(request) {
      try {
        const base = service.getBase(teamId, request.knowledgeBaseId);
        const answer = await service.search(teamId, request.knowledgeBaseId, request.query, {
          topK: request.topK,
          minScore: request.minScore,
          ...(request.mode ? { mode: request.mode } : {}),
        });
        return {
          knowledgeBaseName: base.name,
          results: answer.results.map((r) => ({
            text: r.text,
            citation: r.citation,
            documentName: r.documentName,
            page: r.page,
            heading: r.heading,
            sourceUrl: r.sourceUrl,
            score: r.score,
          })),
          ...(answer.notice ? { notice: answer.notice } : {}),
        };
      } catch (error) {
        if (error instanceof DomainError && error.kind === "NOT_FOUND") {
          throw new BlockRunError(`This team has no knowledge base ${request.knowledgeBaseId}; choose one of the team's knowledge bases in the block's settings.`);
        }
        if (error instanceof DomainError) throw new BlockRunError(error.message);
        throw error;
      }
    },
  };
}
