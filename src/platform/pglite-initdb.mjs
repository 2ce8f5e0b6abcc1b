// Creates a new embedded database directory and exits. PGlite's initdb leaves ~800 MB of WASM
// heap in the process that ran it; doing it in a short-lived child keeps the server near the
// ~300 MB of a plain reopen. Usage: node pglite-initdb.mjs <dir>
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create(process.argv[2]);
await db.close();
