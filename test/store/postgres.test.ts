import { openStore } from '../../src/store/index.js';
import { createTestSchema } from '../support/postgres.js';
import { runStoreContract } from './contract.js';

const contractSchema = await createTestSchema();
runStoreContract(
  'postgres',
  () => openStore({ kind: 'postgres', url: contractSchema.url, schema: contractSchema.schema, poolSize: 4 }),
  () => contractSchema.drop(),
);
