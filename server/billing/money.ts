/**
 * How amounts cross the API: wei as a decimal string (exact; bigint does not survive JSON)
 * beside the same amount formatted in SPON for people. Never a float (ADR 030, docs/billing-api.md).
 */
import { amountToText, weiToSpon } from "./amounts";

export type Money = { wei: string; spon: string };

export const money = (wei: bigint): Money => ({ wei: amountToText(wei), spon: weiToSpon(wei) });
