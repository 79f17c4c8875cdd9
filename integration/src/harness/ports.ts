import { createServer } from 'node:net';

/**
 * Asks the OS for a free TCP port. It listens on the wildcard address (not only loopback) because
 * kinesis-local always binds `::`; a port that is free only on 127.0.0.1 could still collide there.
 * The port is released before it is returned, so a race with another process is possible: the
 * starters detect a failed bind and retry with fresh ports.
 * @internal
 */
export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        if (port > 0) resolve(port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/**
 * Returns `count` distinct free ports (the OS may hand out a released port again at once).
 * @internal
 */
export async function getFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await getFreePort());
  return [...ports];
}
