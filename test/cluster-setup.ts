/**
 * The cluster tests need the local three-broker, three-node cluster (`npm run services -- up --cluster`): it
 * is brought up here, and stopped again afterwards only if this run started it.
 */
import { downCluster, upCluster } from '../src/local-services/cluster/index.ts';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const log = (line: string) => process.stdout.write(`[cluster] ${line}\n`);
  const { started } = await upCluster({ log });
  if (started.length === 0) return undefined;
  return async () => {
    await downCluster({ log });
  };
}
