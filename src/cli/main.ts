import { runCli } from './program';

// A reader that went away (`tfod validate . | head`) ends the output, not with a stack trace: stop
// at once, as a Unix tool killed by SIGPIPE does (exit 141), whatever was still to be written.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(141);
    throw error;
  });

// The AWS SDK's notice that its releases after January 2027 need Node.js 22 concerns whoever
// upgrades the SDK, not a user of this pinned build; it printed on every AWS command. Set the
// variable to false to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tfod: internal error: ${String(error)}\n`);
    process.exitCode = 70;
  },
);
