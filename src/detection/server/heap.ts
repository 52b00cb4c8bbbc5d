// How the serving processes' V8 heaps grow. Both kinds of process hold little that lives long
// and churn through megabytes per image that die with the request: the server receives and
// forwards each body (about three copies of it), a worker decodes it and runs the graph. With so
// little live, V8 picks its smallest heap growing factor (1.1) and runs a major collection every
// few images. In a worker that was 10 to 15 ms of CPU per image beside 110 ms of inference; in
// the server 1.5 to 2 ms of its 4 to 5 ms per image (both measured from the processes' own CPU
// clocks with the COCO model and PNG photos of 250-800 KB). On a machine whose cores the workers
// fill, that CPU is taken from inference.
import { setFlagsFromString } from 'node:v8';

/**
 * Lets the heap grow to four times what survived the last major collection before the next one
 * (V8's own largest factor). A major collection then comes about once in 50 images instead of
 * every two to five; it costs some 30 MB more peak memory in a worker, less in the server.
 */
export const HEAP_GROWING_FLAG = '--heap-growing-percent=300';

/**
 * Sets {@link HEAP_GROWING_FLAG} in this process. For processes that do nothing but serve (`tfod
 * serve`, the container's `serve`); the workers get it on their command line.
 */
export function growHeapForServing(): void {
  setFlagsFromString(HEAP_GROWING_FLAG);
}
