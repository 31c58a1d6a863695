import { errors, type Input, KmsError } from "./protocol";

/**
 * Readers for request members that fail the way KMS's front end does: one ValidationException in the
 * "1 validation error detected: Value ... at 'member' failed to satisfy constraint: ..." form, naming the
 * member in camelCase as KMS does.
 */
export function validationFailure(field: string, value: unknown, constraint: string): KmsError {
  const member = field.charAt(0).toLowerCase() + field.slice(1);
  const shown = value === undefined || value === null ? "null" : `'${String(value)}'`;
  return errors.validation(
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function serialization(field: string, expected: string): KmsError {
  return new KmsError("SerializationException", `${field}: expected ${expected}`);
}

interface Length {
  min?: number;
  max?: number;
}

export function optionalString(input: Input, field: string, length: Length = {}): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw serialization(field, "a string");
  const min = length.min ?? 0;
  if (value.length < min) {
    throw validationFailure(field, value, `Member must have length greater than or equal to ${min}`);
  }
  if (length.max !== undefined && value.length > length.max) {
    throw validationFailure(field, value, `Member must have length less than or equal to ${length.max}`);
  }
  return value;
}

export function requiredString(input: Input, field: string, length: Length = {}): string {
  const value = optionalString(input, field, { min: 1, ...length });
  if (value === undefined) throw validationFailure(field, undefined, "Member must not be null");
  return value;
}

export function optionalEnum<T extends string>(
  input: Input,
  field: string,
  values: readonly T[],
): T | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    throw validationFailure(field, value, `Member must satisfy enum value set: [${values.join(", ")}]`);
  }
  return value as T;
}

export function requiredEnum<T extends string>(input: Input, field: string, values: readonly T[]): T {
  const value = optionalEnum(input, field, values);
  if (value === undefined) throw validationFailure(field, undefined, "Member must not be null");
  return value;
}

export function optionalInteger(
  input: Input,
  field: string,
  range: { min: number; max: number },
): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw serialization(field, "an integer");
  if (value < range.min) {
    throw validationFailure(field, value, `Member must have value greater than or equal to ${range.min}`);
  }
  if (value > range.max) {
    throw validationFailure(field, value, `Member must have value less than or equal to ${range.max}`);
  }
  return value;
}

export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw serialization(field, "a boolean");
  return value;
}

export function optionalBlob(input: Input, field: string, length: Length = {}): Buffer | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw serialization(field, "base64-encoded bytes");
  }
  const bytes = Buffer.from(value, "base64");
  // KMS's validation messages show blob members as their Java type, never their bytes.
  const min = length.min ?? 1;
  if (bytes.length < min) {
    throw validationFailure(
      field,
      "java.nio.HeapByteBuffer",
      `Member must have length greater than or equal to ${min}`,
    );
  }
  if (length.max !== undefined && bytes.length > length.max) {
    throw validationFailure(
      field,
      "java.nio.HeapByteBuffer",
      `Member must have length less than or equal to ${length.max}`,
    );
  }
  return bytes;
}

export function requiredBlob(input: Input, field: string, length: Length = {}): Buffer {
  const value = optionalBlob(input, field, length);
  if (value === undefined) throw validationFailure(field, undefined, "Member must not be null");
  return value;
}

/** Request timestamps arrive as epoch seconds; returns epoch milliseconds. */
export function optionalTimestamp(input: Input, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return Math.round(value * 1000);
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw serialization(field, "a timestamp");
}

export function optionalStringMap(input: Input, field: string): Record<string, string> | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw serialization(field, "a map of strings");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.some(([, item]) => typeof item !== "string")) throw serialization(field, "a map of strings");
  // fromEntries defines own properties: a key named "__proto__" stays an entry (an assignment would drop it).
  return Object.fromEntries(entries) as Record<string, string>;
}

export function optionalStringList(input: Input, field: string): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw serialization(field, "a list of strings");
  }
  return value as string[];
}

export interface Tag {
  TagKey: string;
  TagValue: string;
}

/**
 * Tags as KMS checks them: lengths are the front end's (ValidationException naming `tags.N.member.tagKey`,
 * counted from 1); reserved `aws:` keys, duplicates and more than 50 tags are TagException.
 */
export function optionalTags(input: Input, field: string): Tag[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw serialization(field, "a list of tags");
  const tags: Tag[] = [];
  for (const [index, item] of (value as unknown[]).entries()) {
    const tag = (item ?? {}) as Record<string, unknown>;
    if (typeof tag.TagKey !== "string" || typeof tag.TagValue !== "string") {
      throw serialization(field, "tags with TagKey and TagValue strings");
    }
    const member = `${field}.${index + 1}.member`;
    optionalString({ [`${member}.tagKey`]: tag.TagKey }, `${member}.tagKey`, { min: 1, max: 128 });
    optionalString({ [`${member}.tagValue`]: tag.TagValue }, `${member}.tagValue`, { max: 256 });
    if (tag.TagKey.toLowerCase().startsWith("aws:")) {
      throw new KmsError("TagException", "Tag keys beginning with 'aws:' are reserved");
    }
    if (tags.some((seen) => seen.TagKey === tag.TagKey)) {
      throw new KmsError("TagException", `Duplicate tag key '${tag.TagKey}'`);
    }
    tags.push({ TagKey: tag.TagKey, TagValue: tag.TagValue });
  }
  if (tags.length > 50) throw new KmsError("TagException", "A KMS key can have at most 50 tags");
  return tags;
}
