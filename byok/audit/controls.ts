/**
 * Control ids the rules cite, in one place so every rule names a control the same way.
 * Security Hub: https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html
 * PCI DSS v4.0 requirement 3.6 (protect keys) and 3.7 (key-management lifecycle: 3.7.4 cryptoperiods,
 * 3.7.5 retirement, 3.7.6 split knowledge and dual control); NIST SP 800-57 Part 1 Rev. 5 §5.2 (one key,
 * one purpose) and §5.3 (cryptoperiods).
 */
export const CONTROL = {
  kms1: "AWS Security Hub KMS.1",
  kms2: "AWS Security Hub KMS.2",
  kms3: "AWS Security Hub KMS.3",
  kms4: "AWS Security Hub KMS.4",
  kms5: "AWS Security Hub KMS.5",
  pci361: "PCI DSS v4.0 3.6.1",
  pci374: "PCI DSS v4.0 3.7.4",
  pci375: "PCI DSS v4.0 3.7.5",
  pci376: "PCI DSS v4.0 3.7.6",
  nistUsage: "NIST SP 800-57 Part 1 5.2",
  nistCryptoperiod: "NIST SP 800-57 Part 1 5.3",
} as const;
