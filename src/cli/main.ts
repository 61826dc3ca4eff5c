export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`kubectl-task: ${argv.join(' ')}\n`);
  return 0;
}
