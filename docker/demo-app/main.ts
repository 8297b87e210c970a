/**
 * The demo app's entry in the compose stack: the app itself on DEMO_HOST:DEMO_PORT, where
 * Prometheus and the other services reach it, plus a loopback gateway on GATEWAY_PORT (the port
 * published on the host), through which firedrill's faults arrive from 127.0.0.1 as the fault
 * endpoint requires. One container: when a `crash` fault exits the app, this process exits with
 * it, and Docker's restart policy brings both back together.
 *
 * Env: the demo app's DEMO_* variables, GATEWAY_PORT (8080).
 */
import { spawn } from 'node:child_process';
import { startLoopbackGateway } from './loopback-gateway.ts';

const appPort = Number(process.env.DEMO_PORT ?? '3000');
const gatewayPort = Number(process.env.GATEWAY_PORT ?? '8080');

const app = spawn(process.execPath, ['--import', 'tsx', 'demo-app/src/main.ts'], {
  stdio: 'inherit',
  env: { ...process.env, DEMO_PORT: String(appPort) },
});
const gateway = await startLoopbackGateway({ listenPort: gatewayPort, targetPort: appPort });
console.log(JSON.stringify({ msg: 'loopback gateway listening', port: gateway.port, target: appPort }));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => app.kill(signal));
}
app.once('exit', (code, signal) => {
  void gateway.close().finally(() => process.exit(code ?? (signal ? 128 : 1)));
});
