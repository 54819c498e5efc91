/**
 * One process of a split fleet (fleet-parts.ts is the other side): it
 * serves the part of the range its parent names, with the parent's
 * certificates, and answers over the IPC channel. It ends when told to,
 * on SIGTERM, or when the channel closes (the parent is gone).
 */
import { startFleet, type Fleet, type FleetOptions } from './fleet.js';

export type PartRequest = { type: 'listen'; options: FleetOptions } | { type: 'close' };

export type PartReply =
  | { type: 'ready' }
  | { type: 'listening'; port: number; implicitTlsPort: number | null }
  | { type: 'failed'; code: string | null; message: string }
  | { type: 'closed' };

export function servePart(): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('a fleet part runs as a child process with an IPC channel');
  let fleet: Fleet | null = null;
  const reply = (message: PartReply): void => {
    if (process.connected) send(message);
  };
  const close = async (): Promise<void> => {
    const open = fleet;
    fleet = null;
    await open?.close();
  };
  const exit = (): void => {
    void close().finally(() => process.exit(0));
  };
  process.on('message', (request: PartRequest) => {
    if (request.type === 'close') {
      void close().then(() => reply({ type: 'closed' }));
      return;
    }
    startFleet(request.options).then(
      (started) => {
        fleet = started;
        reply({ type: 'listening', port: started.port, implicitTlsPort: started.implicitTlsPort });
      },
      (err: unknown) => {
        const code = (err as NodeJS.ErrnoException).code;
        reply({
          type: 'failed',
          code: typeof code === 'string' ? code : null,
          message: String((err as Error).message),
        });
      },
    );
  });
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  // Ctrl-C reaches the whole process group: the parent, which stops every part, decides.
  process.on('SIGINT', () => undefined);
  reply({ type: 'ready' });
}
