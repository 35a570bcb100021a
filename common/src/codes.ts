/**
 * Protocol codes by name: a contribution's status (numbered as `ContributionLedger.Status`) and the reason
 * codes a verdict carries. Code compares against these names, never against bare numbers.
 */

export const Status = { None: 0, Pending: 1, Accepted: 2, Rejected: 3 } as const;
export type Status = (typeof Status)[keyof typeof Status];

const STATUS_NAMES: Record<Status, string> = { 0: "none", 1: "pending", 2: "accepted", 3: "rejected" };

/** "pending", "accepted", …; a number the ledger does not use is named as such. */
export const statusName = (status: number): string => STATUS_NAMES[status as Status] ?? `status ${status}`;

/** Reason codes a verdict carries; `None` is "no reason given". Shared by validators' UIs and the automatic validator. */
export const Reason = {
  None: 0,
  Accepted: 1,
  WrongType: 2,
  Corrupt: 3,
  Duplicate: 4,
  NearDuplicate: 5,
  LowQuality: 6,
  OffTopic: 7,
  Rights: 8,
  Harmful: 9,
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

const REASON_TEXTS: Record<Reason, string> = {
  0: "none",
  1: "accepted",
  2: "wrong type",
  3: "corrupt or unreadable",
  4: "duplicate",
  5: "near-duplicate",
  6: "low quality",
  7: "off-topic",
  8: "license or rights problem",
  9: "harmful content",
};

/** The words for a reason code, or undefined for a code the protocol does not define. */
export const reasonText = (reason: number): string | undefined => REASON_TEXTS[reason as Reason];
