'use strict';
/**
 * A minimal Lambda host for the integration tier (plain Node, no jest): a child process that loads one handler
 * bundle, like one Lambda container, and invokes its `onEvent` for every `invoke` message of the parent, with a fake
 * context whose getRemainingTimeInMillis counts down from the given Lambda timeout.
 *
 * A separate process because the bundles (like the Lambda runtime) rely on what jest's module sandbox lacks: the
 * SDK's HTTP handler loads `node:http` with a dynamic `import()`, and the environment is read from the real process.
 *
 * Messages: parent -> { type: 'invoke', id, event, timeoutMs }; child -> { type: 'ready', exports } once loaded,
 * { type: 'done', id, error? } when onEvent settled, { type: 'crash', error } on an unhandled rejection or exception
 * (which would end a Lambda invocation with Runtime.UnhandledPromiseRejection).
 */
const bundle = process.argv[2];

function describe(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

process.on('unhandledRejection', (reason) => {
  process.send({ type: 'crash', error: `unhandled rejection: ${describe(reason)}` });
});
process.on('uncaughtException', (error) => {
  process.send({ type: 'crash', error: `uncaught exception: ${describe(error)}` });
});

const mod = require(bundle);
process.send({ type: 'ready', exports: Object.keys(mod) });

process.on('message', (message) => {
  if (!message || message.type !== 'invoke') return;
  const deadline = Date.now() + message.timeoutMs;
  const context = { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  Promise.resolve()
    .then(() => mod.onEvent(message.event, context))
    .then(
      () => process.send({ type: 'done', id: message.id }),
      (error) => process.send({ type: 'done', id: message.id, error: describe(error) }),
    );
});
