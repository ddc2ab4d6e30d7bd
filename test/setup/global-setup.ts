import * as fs from 'fs';
import * as path from 'path';

/** Starts each jest run with no recorded templates (see record-templates.ts). */
export default function globalSetup(): void {
  fs.rmSync(path.join(__dirname, '..', '..', '.tmp', 'cfn-templates'), { recursive: true, force: true });
}
