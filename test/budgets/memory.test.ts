/** The budgets contract on the in-memory budgets (one process, SQLite deployments). */
import { createBudgets } from '../../src/budgets/index.js';
import { runBudgetContract } from './contract.js';
import { captureLog } from '../connectors/http/support.js';

runBudgetContract('memory', (settings) => createBudgets({ kind: 'sqlite' }, settings, { log: captureLog().log }));
