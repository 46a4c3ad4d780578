/** Starts CoatCheck's lab for the sample tests; its scenario URLs go to the tests through the environment. */
import { SCENARIOS, startLab } from '../../lab/index.mjs';

export default async function globalSetup() {
  const lab = await startLab({ quiet: true });
  for (const name of Object.keys(SCENARIOS)) process.env[`LAB_${name.toUpperCase()}`] = lab.scenarioUrl(name as keyof typeof SCENARIOS);
  return async () => {
    await lab.close();
  };
}
