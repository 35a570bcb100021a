/** Addresses and hashes compared whatever their letter case (checksummed or not). */
export const sameHex = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
