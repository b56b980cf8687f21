/**
 * Vitest's own order (groups, then projects, larger or slower files first) with one change: the cluster's file
 * goes first in its group. It is the longest by far (four 20,000-post fault scenarios); started after the
 * browser files, as the project names would have it, it would run on alone at the end.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export class ClusterFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => (spec.project.config.sequence.groupOrder ?? 0) * 2 + (spec.project.name === 'cluster' ? 0 : 1);
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
