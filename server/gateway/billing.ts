import type { GraphDoc } from "#agents/graph/index";
import { QuotaExceeded, type UsageHold } from "../billing/metering";
import type { BillingService } from "../billing/service";
import type { ParsedChatRequest } from "./chat-request";
import { GatewayError } from "./errors";

/** What the gateway uses of billing. */
export type GatewayBilling = Pick<BillingService, "enabled" | "meter" | "welcome">;

/** OpenAI's answer when an account cannot pay: its `insufficient_quota` shape, with 402 Payment Required. */
export const insufficientQuota = (message: string) => new GatewayError(402, message, "insufficient_quota", "insufficient_quota");

/**
 * Holds what a request may cost before it runs, or refuses it with 402. A team short of money
 * whose devnet welcome grant is still on its way (its first request) waits for it once.
 */
export async function holdForRequest(
  billing: GatewayBilling,
  r: { teamId: string; apiKeyId: string; graph: GraphDoc; request: ParsedChatRequest },
): Promise<UsageHold | undefined> {
  if (!billing.enabled) return undefined;
  const inputChars = r.request.input.length + r.request.history.reduce((sum, m) => sum + m.content.length, 0);
  const reserve = () => billing.meter.reserve({ teamId: r.teamId, apiKeyId: r.apiKeyId, graph: r.graph, inputChars });
  try {
    return reserve();
  } catch (error) {
    if (!(error instanceof QuotaExceeded)) throw error;
    if (error.reason !== "balance" || !(await billing.welcome.credited(r.teamId))) throw insufficientQuota(error.message);
  }
  try {
    return reserve();
  } catch (error) {
    if (error instanceof QuotaExceeded) throw insufficientQuota(error.message);
    throw error;
  }
}
