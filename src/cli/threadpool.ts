// libuv's thread pool runs sharp's image decodes and encodes and the native addon's flow batches. Its
// default of 4 threads starves a dataset job on a many-core GPU server: a GPU batch holds one thread for
// its whole run while hundreds of frames wait to be decoded and maps to be encoded. libuv sizes the pool
// from UV_THREADPOOL_SIZE when it is first used, so this module is imported before anything else.
// (The extension host's pool is shared with every extension: there it is left as VS Code sets it.)
import * as os from 'node:os';

if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(Math.max(4, Math.min(os.availableParallelism(), 32)));
}
