/**
 * The method table of a testbed's comparison protocol (`src/testbeds/<tb>/protocol[-<name>]/index.ts`): one row per
 * entered method, pointing at its task module `recipes/<file>.ts` (one per method, so a record's key covers that
 * method's code only; docs/compare.md).
 */

/** A row of a protocol's method table: everything `nb.protocol` needs besides the scores. */
export interface ProtocolMethodRow<Regime extends string = string> {
  name: string;
  /** Task run per seed by the protocol notebook (`<module under dist>#run`). */
  task: string;
  /** Source of the recipe, relative to the repository root. */
  source: string;
  /** One line: the recipe, as composed from the testbed's parts. */
  summary: string;
  /** Within the protocol's budget (ranked), or with exact oracle access (a reference, not ranked). */
  budget: 'labels' | 'exact';
  /** The setting the method was designed for (online / offline, reward model / policy, …). */
  regime: Regime;
  /** Kit papers (catalog ids) whose notebooks use the method. */
  papers: string[];
}

/** A method of the testbed's papers that the protocol does not enter, and why (shown on the comparison page). */
export interface NotEnteredMethod {
  name: string;
  papers: string[];
  reason: string;
}

/**
 * The row of the task module `recipes/<file>.ts` of the protocol folder `folder` (under src/, e.g.
 * `testbeds/bandits/protocol`); its name, summary and budget come from the module's `recipe`.
 */
export function protocolMethodRow<Regime extends string>(
  folder: string,
  mod: { recipe: { name: string; summary: string; budget?: 'labels' | 'exact' } },
  file: string,
  regime: Regime,
  papers: string[],
): ProtocolMethodRow<Regime> {
  return {
    name: mod.recipe.name,
    task: `${folder}/recipes/${file}#run`,
    source: `src/${folder}/recipes/${file}.ts`,
    summary: mod.recipe.summary,
    budget: mod.recipe.budget ?? 'labels',
    regime,
    papers,
  };
}
