import { describeFacets, distinctFacets, type Facet } from "../facets";
import type { RuleFinding } from "../model";

/** One finding when the key names more than one distinct value of a facet (classification, ...). */
export function sharedFacet(facets: readonly Facet[], what: string, fix: string): RuleFinding[] {
  const byValue = distinctFacets(facets);
  if (byValue.size < 2) return [];
  return [{ evidence: `${byValue.size} ${what}: ${describeFacets(byValue)}`, fix }];
}
