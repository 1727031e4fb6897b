// A worker thread of the face pool (pool.ts): finds the largest face (landmarks, nose tip, regions) in
// the onset frames it is sent. onnxruntime-node runs a session synchronously on the calling thread, so
// face detection here keeps it off the thread that posts the work.
import { parentPort } from 'node:worker_threads';
import { detectFace } from './index';
import { setFaceSessionThreads } from './models';
import type { NoseJob, NoseReply } from './poolProtocol';

setFaceSessionThreads(1);

const port = parentPort;
if (!port) throw new Error('noseWorker must run as a worker thread');

port.on('message', (job: NoseJob) => {
  void (async (): Promise<NoseReply> => {
    try {
      const face = await detectFace({ width: job.width, height: job.height, channels: job.channels, data: job.data });
      return { id: job.id, face };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      return { id: job.id, error: { name: err.name, message: err.message } };
    }
  })().then((reply) => port.postMessage(reply));
});
