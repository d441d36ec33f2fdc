import { getAddress, isAddress, zeroAddress, type Address } from "viem";

/**
 * A node operator's payout address (`skyloom node --payout-address`, the join request's
 * `payoutAddress`): an EVM address whose checksum, when it has mixed case, is right (viem's
 * isAddress), and never the zero address (the escrow refuses to pay it). Checked by the node
 * before it joins and again by the matchmaker, which trusts no node.
 */
export function payoutAddressProblem(text: string): string | null {
  if (!isAddress(text, { strict: true })) {
    return isAddress(text, { strict: false })
      ? `${text} has a wrong checksum (mixed-case letters that do not match); copy the address again, or write it all in lower case`
      : `${text} is not an EVM address (0x and 40 hex digits)`;
  }
  if (getAddress(text) === zeroAddress) return "the zero address cannot be paid";
  return null;
}

/** The address in its checksummed form (what is stored and shown). */
export const checksummedPayoutAddress = (text: string): Address => getAddress(text);
