/** The JSON shape of a key policy, as IAM reads it and guardrails inspect it. */
export type Condition = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal: "*" | { AWS: string | string[] } | { Service: string | string[] };
  Action: string | string[];
  Resource: "*";
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** An IAM identity policy: statements without a principal, on any resource pattern. */
export interface PolicyJsonDocument {
  Version: "2012-10-17";
  Statement: {
    Sid: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource: string | string[];
  }[];
}
